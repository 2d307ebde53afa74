#!/usr/bin/env bash
# Build the Rasa reference environment used by bench/rasa_reference.py: rasa==3.6.21 (TensorFlow 2.12) on
# Python 3.10 (Rasa 3.6 supports Python 3.8-3.10 only). Rasa is NOT a Parley dependency; this venv lives beside
# .venv and is gitignored. Usage: bench/make_rasa_env.sh [path-to-python3.10]
# Every pip step is logged; if resolution fails the log and the exit status say which step.
set -euo pipefail
cd "$(dirname "$0")/.."
PY310="${1:-/root/.pyenv/versions/3.10.13/bin/python3.10}"
"$PY310" -m venv .venv-rasa
.venv-rasa/bin/pip install --upgrade 'pip<24.1' 'setuptools<70' wheel
.venv-rasa/bin/pip install 'rasa==3.6.21'
.venv-rasa/bin/rasa --version
.venv-rasa/bin/python -c "import rasa, tensorflow; print('ok rasa', rasa.__version__, 'tensorflow', tensorflow.__version__)"
