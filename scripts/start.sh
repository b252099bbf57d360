#!/usr/bin/env bash
# Sets up and starts the tracker on the embedded default: SQLite in data/, the demo
# city loaded on first start, mail written to data/outbox, and the scheduler running
# beside the web app (it catches up on the cycles due, so the first weekly dispatch
# runs at once). Open http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/python -m tracker init-db
.venv/bin/python -m tracker load-demo --if-empty >/dev/null
echo "Demo accounts (kept in data/demo-accounts.txt):"
cat data/demo-accounts.txt 2>/dev/null || echo "  (none: this database was not loaded by load-demo)"
mkdir -p data
.venv/bin/python -m scheduler >>data/scheduler.log 2>&1 &
scheduler=$!
trap 'kill -TERM $scheduler 2>/dev/null; wait $scheduler 2>/dev/null' EXIT
echo "scheduler running (pid $scheduler, log data/scheduler.log); mail goes to data/outbox/"
.venv/bin/python -m tracker serve "$@"
