#!/usr/bin/env bash
# Serve the portal: migrations, demo data (demo mode, empty database), the scheduler beside the web app.
set -euo pipefail
cd "$(dirname "$0")/.."
export REFLEX_USE_NPM=1 PATH="$PWD/.venv/bin:$PATH"
PORT="${PORT:-3000}"
python -m portal.cli migrate
python -m portal.cli seed-demo --if-empty
python -m portal.jobs &
jobs_pid=$!
trap 'kill $jobs_pid 2>/dev/null || true' EXIT INT TERM
echo "门户地址: http://localhost:${PORT}  (演示账号见 README)"
reflex run --env prod --single-port --frontend-port "$PORT" --backend-port "$PORT"
