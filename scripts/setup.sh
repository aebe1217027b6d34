#!/usr/bin/env bash
# Creates .venv (once) with tfdoctor installed in editable mode and the development tools.
# Idempotent: a second run only checks that everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if ! .venv/bin/python -c "import tfdoctor, pytest, uv" >/dev/null 2>&1 \
   || [ pyproject.toml -nt .venv/.tfdoctor-installed ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  touch .venv/.tfdoctor-installed
fi
# PYTHONDONTWRITEBYTECODE may be set: compile once so that every run starts fast.
.venv/bin/python -m compileall -q -j 0 src .venv/lib >/dev/null
