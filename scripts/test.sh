#!/usr/bin/env bash
# Sets up and runs the whole test suite: lint and the import contract, then pytest on SQLite, and on
# PostgreSQL too when TRACKER_TEST_PG names a database
# (e.g. TRACKER_TEST_PG=postgresql://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports --no-cache  # the architecture contract in pyproject.toml
exec .venv/bin/python -m pytest -n auto "$@"
