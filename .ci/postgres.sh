#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and benchmarks: start prints its URL; stop shuts it down and deletes its data.
# Runs as the postgres OS user (PostgreSQL refuses root), on a free loopback port, with its data under /tmp.
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
PGDATA=${KEYWARD_PGDATA:-/tmp/keyward-ci-pg}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
  if [ ! -x "$PGBIN/initdb" ]; then
    echo "PostgreSQL binaries missing; installing postgresql with apt" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
  fi
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  rm -rf "$PGDATA"; mkdir -p "$PGDATA"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDATA"; fi
  chmod 700 "$PGDATA"
  as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGDATA.initdb.log" 2>&1
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
    -o "-p $PORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >&2
  as_postgres psql -h 127.0.0.1 -p "$PORT" -U postgres -qc 'create database keyward' >&2
  echo "postgres://postgres@127.0.0.1:$PORT/keyward"
  ;;
stop)
  if [ -f "$PGDATA/postmaster.pid" ]; then
    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >&2 || true
  fi
  rm -rf "$PGDATA" "$PGDATA.initdb.log"
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
