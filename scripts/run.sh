#!/usr/bin/env bash
# The README's run command: set up, start Redis (if none answers), a Celery worker with beat (the
# sweeper) and the web server; print the URL and the demo logins. Ctrl-C stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [[ "${RUN_SKIP_SETUP:-0}" != 1 ]]; then bash scripts/setup.sh; fi

PORT=${PORT:-8000}
REDIS_PORT=${REDIS_PORT:-6379}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:${REDIS_PORT}/0}
export GRADER_SLOTS=${GRADER_SLOTS:-2}
export DJANGO_SETTINGS_MODULE=config.settings
VAR=${DLGRADE_VAR_DIR:-$ROOT/var}   # database, logs, Redis pid file (settings read the same variable)
export DLGRADE_VAR_DIR=$VAR
mkdir -p "$VAR"
PY=$ROOT/.venv/bin/python
CELERY=$ROOT/.venv/bin/celery

started_pids=()
redis_started=0
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "run: stopping"
  for pid in "${started_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${started_pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if ((redis_started)) && [[ -f $VAR/redis.pid ]]; then
    kill -TERM "$(cat "$VAR/redis.pid")" 2>/dev/null || true
    rm -f "$VAR/redis.pid"
  fi
}
trap cleanup INT TERM EXIT

if redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  echo "run: using the Redis already answering at $REDIS_URL"
else
  echo "run: starting redis-server on port $REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --pidfile "$VAR/redis.pid" \
    --dir "$VAR" --logfile "$VAR/redis.log" --save "" --appendonly no
  redis_started=1
  for _ in $(seq 1 50); do redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

"$PY" manage.py migrate --noinput
if command -v msgfmt >/dev/null; then
  (cd platform && "$PY" ../manage.py compilemessages -l ko -v 0)
fi
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py load_assignments || echo "run: some bundles could not be loaded (see above); continuing"
"$PY" manage.py seed_demo

if ! "$PY" -c "import sys; from grader.sandbox import sandbox_available as a; ok, why = a(); print(why) if not ok else None; sys.exit(0 if ok else 1)" >"$VAR/sandbox-check.txt" 2>&1; then
  echo "run: WARNING: the grading sandbox cannot run here ($(tail -1 "$VAR/sandbox-check.txt"));"
  echo "run:          code submissions cannot be graded (quizzes work). Run as root on Linux."
fi
echo "run: starting the Celery worker (+ beat) with $GRADER_SLOTS grading slots"
(cd platform && exec "$CELERY" -A config worker -B --pool threads --concurrency "$GRADER_SLOTS" \
  -Q grading,celery --loglevel INFO --schedule "$VAR/celerybeat-schedule" >>"$VAR/worker.log" 2>&1) &
started_pids+=($!)

"$PY" manage.py runserver --noreload "0.0.0.0:$PORT" &
started_pids+=($!)

sleep 1
echo
echo "run: open http://127.0.0.1:$PORT/  (worker log: $VAR/worker.log; Ctrl-C stops everything)"
wait -n "${started_pids[@]}" || true
