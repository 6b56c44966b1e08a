#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for tests and scripts.
#   scripts/pg.sh start   # prints DATABASE_URL base (postgres://postgres@127.0.0.1:PORT)
#   scripts/pg.sh pause   # stop the server, keep the data (start resumes)
#   scripts/pg.sh stop
# Data lives in /tmp/tasks-api-pg-PORT (removed on stop); PGPORT defaults to 5433. Runs the server
# as the `postgres` user (initdb refuses root); installs Debian's postgresql
# when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

: "${PGPORT:=5433}"
PGDATA="/tmp/tasks-api-pg-$PGPORT"
bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [[ -z "$(bin_dir)" ]]; then
      log "apt-get install postgresql"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    fi
    BIN_DIR=$(bin_dir)
    if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
      # initdb needs a directory the postgres user owns, outside root-only paths.
      rm -rf "$PGDATA"
      install -d -o postgres -g postgres -m 700 "$PGDATA"
      as_postgres "$BIN_DIR/initdb" -D "$PGDATA" -U postgres --auth=trust >/dev/null
    fi
    as_postgres "$BIN_DIR/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
      -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" start >/dev/null
    log "PostgreSQL on 127.0.0.1:$PGPORT"
    echo "postgres://postgres@127.0.0.1:$PGPORT"
    ;;
  pause)
    # Stops the server but keeps its data, for outage tests: `start` resumes.
    as_postgres "$(bin_dir)/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    log "PostgreSQL paused"
    ;;
  stop)
    BIN_DIR=$(bin_dir)
    if [[ -f "$PGDATA/postmaster.pid" ]]; then
      as_postgres "$BIN_DIR/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$PGDATA"
    log "PostgreSQL stopped"
    ;;
  *)
    echo "usage: $0 start|pause|stop" >&2
    exit 2
    ;;
esac
