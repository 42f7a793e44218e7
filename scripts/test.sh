#!/usr/bin/env bash
# The README's test command: sets up everything the tests need (system packages incl. chromium and
# postgresql, the virtualenv, npm packages), then runs the whole suite on SQLite: unit, sandbox and
# hostile, integration (real Redis + real Celery worker) and end-to-end (Playwright driving Debian's
# chromium); then the tests that depend on the database once more on a throwaway PostgreSQL, the
# production database (scripts/postgres.sh starts it, and stops and deletes it afterwards).
#
#   scripts/test.sh [pytest options]        everything, then the PostgreSQL part
#   scripts/test.sh tests/grader -x         only that part, SQLite only
#   TEST_POSTGRES=1 scripts/test.sh PATHS   that part on SQLite, then on PostgreSQL
#   TEST_POSTGRES=only scripts/test.sh ...  PostgreSQL only;  TEST_POSTGRES=0: SQLite only
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=1 WITH_POSTGRES=1 bash scripts/setup.sh
export PYTHONDONTWRITEBYTECODE=1
PYTEST=(.venv/bin/pytest -p no:cacheprovider --timeout=600)
# On PostgreSQL, the production database: every test that touches the database — the platform
# (pages, services, hostile HTTP input), the web pipeline with a real worker incl. the hostile
# submissions, the fault tests (worker, zygote and Redis faults; the lock tests are SQLite's) and
# the browser end-to-end tests. The grader and content tests use no database: SQLite only.
POSTGRES_TESTS=(tests/platform tests/integration tests/resilience tests/e2e)

# Did the caller name what to run (a path, possibly with ::test), or is this the whole suite?
named=0
for arg in "$@"; do
  if [[ $arg != -* && -e ${arg%%::*} ]]; then named=1; fi
done
mode=${TEST_POSTGRES:-auto}
case $mode in
  auto) sqlite=1; postgres=$((!named)) ;;
  1) sqlite=1; postgres=1 ;;
  0) sqlite=1; postgres=0 ;;
  only) sqlite=0; postgres=1 ;;
  *) echo "test.sh: TEST_POSTGRES=$mode: expected auto, 1, 0 or only" >&2; exit 2 ;;
esac
targets=()
if ((!named)); then targets=("${POSTGRES_TESTS[@]}"); fi

status=0
if ((sqlite)); then
  "${PYTEST[@]}" "$@" || status=$?
fi
if ((postgres)); then
  echo "test.sh: the database-dependent tests on PostgreSQL"
  pg_status=0
  bash scripts/postgres.sh "${PYTEST[@]}" "$@" "${targets[@]}" || pg_status=$?
  if ((pg_status)); then
    echo "test.sh: the PostgreSQL part failed (exit $pg_status)" >&2
    ((status)) || status=$pg_status
  fi
fi
exit "$status"
