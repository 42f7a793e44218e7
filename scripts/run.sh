#!/usr/bin/env bash
# The README's run command: set up, start Redis (if none answers), a Celery worker with beat (the
# sweeper) and the web server; print the URL and the demo logins. Ctrl-C stops what it started.
#
# Safe by default: the web server listens on 127.0.0.1 only (Django's development server, DEBUG
# on, demo users). HOST=0.0.0.0 (or another address of this machine) serves the network instead:
# gunicorn with DEBUG off, ALLOWED_HOSTS set to this machine's names and addresses (or
# DJANGO_ALLOWED_HOSTS), the generated secret key kept in var/, and demo users only with DEMO=1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [[ "${RUN_SKIP_SETUP:-0}" != 1 ]]; then bash scripts/setup.sh; fi

PORT=${PORT:-8000}
HOST=${HOST:-127.0.0.1}
case $HOST in
  127.*|localhost|::1) network=0 ;;
  *) network=1 ;;
esac
DEMO=${DEMO:-$((!network))}
if ((network)); then
  export DJANGO_DEBUG=0
  if [[ -z ${DJANGO_ALLOWED_HOSTS:-} ]]; then
    names=("$(hostname)" "$(hostname -f 2>/dev/null || true)")
    read -r -a addresses <<<"$(hostname -I 2>/dev/null || true)"
    [[ $HOST != 0.0.0.0 && $HOST != :: ]] && addresses+=("$HOST")
    DJANGO_ALLOWED_HOSTS=$(printf '%s\n' "${names[@]}" "${addresses[@]}" | grep -v '^$' | sort -u | paste -sd, -)
    export DJANGO_ALLOWED_HOSTS
  fi
fi
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
if ((DEMO)); then
  # DEMO_CLASS=120: also a realistic class of 120 students (their code is graded once the worker starts)
  "$PY" manage.py seed_demo ${DEMO_CLASS:+--class "$DEMO_CLASS"}
else
  echo "run: no demo users (DEMO=1 creates them); create an instructor with: .venv/bin/python manage.py createsuperuser"
fi

if ! "$PY" -c "import sys; from grader.sandbox import sandbox_available as a; ok, why = a(); print(why) if not ok else None; sys.exit(0 if ok else 1)" >"$VAR/sandbox-check.txt" 2>&1; then
  echo "run: WARNING: the grading sandbox cannot run here ($(tail -1 "$VAR/sandbox-check.txt"));"
  echo "run:          code submissions cannot be graded (quizzes work). Run as root on Linux."
fi
echo "run: starting the Celery worker (+ beat) with $GRADER_SLOTS grading slots"
(cd platform && exec "$CELERY" -A config worker -B --pool threads --concurrency "$GRADER_SLOTS" \
  -Q grading,celery --loglevel INFO --schedule "$VAR/celerybeat-schedule" >>"$VAR/worker.log" 2>&1) &
started_pids+=($!)
# The Run button (platform/runs) has its own queue and worker, so a grading burst that fills every
# grading slot never delays a student's Run. RUN_SLOTS sandbox slots (default 1); its own name,
# so its heartbeat is told apart from the grading worker's.
RUN_SLOTS=${RUN_SLOTS:-1}
echo "run: starting the Run worker (queue run) with $RUN_SLOTS slot(s)"
(cd platform && GRADER_SLOTS="$RUN_SLOTS" exec "$CELERY" -A config worker --pool threads --concurrency "$RUN_SLOTS" \
  -Q run -n "run@%h" --loglevel INFO >>"$VAR/worker-run.log" 2>&1) &
started_pids+=($!)

if ((network)); then
  echo "run: serving the network on $HOST:$PORT with gunicorn, DEBUG off, ALLOWED_HOSTS=$DJANGO_ALLOWED_HOSTS,"
  echo "run: the secret key in $VAR/dev-secret-key (plain HTTP: put a TLS proxy in front for anything but a lab)"
  "$ROOT/.venv/bin/gunicorn" --chdir platform config.wsgi:application --bind "$HOST:$PORT" \
    --workers 2 --threads 4 --access-logfile "$VAR/access.log" --error-logfile "$VAR/web.log" &
  url_host=$(hostname -I 2>/dev/null | awk '{print $1}')
  [[ $HOST != 0.0.0.0 && $HOST != :: ]] && url_host=$HOST
else
  # the development server (DEBUG on) answers this machine only: it listens on loopback, and the
  # LocalOnlyWhileDebug middleware refuses any other client should it be started otherwise
  "$PY" manage.py runserver --noreload "$HOST:$PORT" &
  url_host=127.0.0.1
fi
started_pids+=($!)

sleep 1
echo
echo "run: open http://${url_host:-127.0.0.1}:$PORT/  (worker log: $VAR/worker.log; Ctrl-C stops everything)"
wait -n "${started_pids[@]}" || true
