#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: `bash scripts/postgres.sh CMD [ARGS...]` creates a private
# cluster with Debian's binaries in a temporary directory, runs CMD with DATABASE_URL pointing at
# it, then stops the cluster and deletes its files; the exit status is CMD's.
# The cluster listens on a unix socket in that directory only: no TCP port to collide with another
# run or to expose (it trusts every local connection). Durability is off: it lives for one run.
set -euo pipefail

bindir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n1)
if [[ -z $bindir || ! -x $bindir/initdb ]]; then
  echo "postgres.sh: PostgreSQL is not installed (scripts/setup.sh installs Debian's postgresql)" >&2
  exit 3
fi
(($#)) || { echo "usage: scripts/postgres.sh COMMAND [ARGS...]" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/dlgrade-pg.XXXXXX")
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  # initdb and postgres refuse to run as root: the cluster belongs to the unprivileged `postgres`
  # user that the Debian package creates (root still reaches the socket).
  id postgres >/dev/null 2>&1 || { echo "postgres.sh: no 'postgres' user to own the cluster" >&2; exit 3; }
  chown postgres: "$dir"
  as_owner=(runuser -u postgres --)
fi

cleanup() {
  if [[ -f $dir/data/postmaster.pid ]]; then
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null 2>&1 ||
      "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "postgres.sh: $1; its log:" >&2; cat "$2" >&2; exit 3; }
"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U dlgrade --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$dir/initdb.log" 2>&1 || fail "initdb failed" "$dir/initdb.log"
# Tests open a connection per thread and per worker slot: allow plenty.
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 -o \
  "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || fail "the server did not start" "$dir/postgres.log"
"$bindir/createdb" -h "$dir" -U dlgrade dlgrade

# The socket directory is the host, percent-encoded (dj-database-url's form for a unix socket).
export DATABASE_URL="postgres://dlgrade@${dir//\//%2F}/dlgrade"
echo "postgres.sh: throwaway PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') at $dir"
status=0
"$@" || status=$?
exit "$status"
