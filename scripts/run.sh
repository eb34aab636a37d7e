#!/usr/bin/env bash
# Serve the portal: migrations, demo data (demo mode, empty database), the scheduler beside the web app.
set -euo pipefail
cd "$(dirname "$0")/.."
export REFLEX_USE_NPM=1 PATH="$PWD/.venv/bin:$PATH"
PORT="${PORT:-3000}"
# The embedded setup is a demo: published demo accounts and the 演示环境 banner. A production install
# sets PORTAL_DEMO_MODE=0 (or runs without this script) and creates its admin with `portal.cli create-admin`.
export PORTAL_DEMO_MODE="${PORTAL_DEMO_MODE:-1}"
# Metrics of the web workers and the scheduler, added up at /api/metrics (prometheus_client multiprocess mode).
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-${PORTAL_DATA_DIR:-$PWD/data}/metrics}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
python -m portal.cli migrate
python -m portal.cli seed-demo --if-empty
# Text messages of the demo go to files in data/sms (issue #27; set after seeding, so the demo's history
# sends nothing); e-mail is off until PORTAL_SMTP_HOST is set.
if [ "$PORTAL_DEMO_MODE" = "1" ]; then export PORTAL_SMS_ADAPTER="${PORTAL_SMS_ADAPTER:-file}"; fi
python -m portal.jobs &
jobs_pid=$!
trap 'kill $jobs_pid 2>/dev/null || true' EXIT INT TERM
if [ "$PORTAL_DEMO_MODE" = "1" ]; then
  echo "门户地址: http://localhost:${PORT}  (演示模式,演示账号见 README)"
else
  echo "门户地址: http://localhost:${PORT}"
fi
reflex run --env prod --single-port --frontend-port "$PORT" --backend-port "$PORT"
