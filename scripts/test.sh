#!/usr/bin/env bash
# The README's test command: sets up everything the tests need (system packages incl. chromium,
# the virtualenv, npm packages), then runs the whole suite: unit, sandbox and hostile, integration
# (real Redis + real Celery worker) and end-to-end (Playwright driving Debian's chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=1 bash scripts/setup.sh
export PYTHONDONTWRITEBYTECODE=1
exec .venv/bin/pytest -p no:cacheprovider --timeout=600 "$@"
