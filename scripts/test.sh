#!/usr/bin/env bash
# The whole suite: service tests on SQLite (and on PostgreSQL when PORTAL_TEST_DATABASE_URL is set),
# state and security tests, and Playwright against the production build in Debian Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export REFLEX_USE_NPM=1 PATH="$PWD/.venv/bin:$PATH"
python -m pytest "$@"
