#!/usr/bin/env bash
# The whole suite: service tests on SQLite (and on PostgreSQL when PORTAL_TEST_DATABASE_URL is set),
# state and security tests, and Playwright against the production build in Debian Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export REFLEX_USE_NPM=1 PATH="$PWD/.venv/bin:$PATH"
# Lint and format first: a style slip fails in seconds, not after the browser tests.
ruff check .
ruff format --check .
python -m pytest "$@"
# Scale-out: two workers sharing Reflex state through Redis (needs its own server build, so it runs
# after the main session has stopped its server).
if [ -n "${PORTAL_TEST_REDIS_URL:-}" ] && [ $# -eq 0 ]; then
  python -m pytest tests_multiworker
fi
# The cluster of scripts/cluster.sh (nginx, PostgreSQL, Redis, two workers, the scheduler): opt-in.
if [ -n "${PORTAL_TEST_CLUSTER:-}" ] && [ $# -eq 0 ]; then
  python -m pytest tests_cluster
fi
