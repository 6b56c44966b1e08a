#!/usr/bin/env bash
# Runs the whole test suite: unit tests, the HTTP integration tests (each
# test starts a real server on a random port with a fresh SQLite database),
# the generated Rust client's tests and the fault suite; then, where
# PostgreSQL is installed (or POSTGRES=required), the HTTP integration suite
# again against a throwaway PostgreSQL cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

log "cargo test --workspace --locked --all-targets (SQLite)"
cargo test --workspace --locked --all-targets "$@"

if [[ "${POSTGRES:-auto}" != required ]] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "PostgreSQL is not installed: SKIPPED the PostgreSQL half (POSTGRES=required installs it)"
  exit 0
fi
PG_URL=$(scripts/pg.sh start)
trap 'scripts/pg.sh stop' EXIT
log "cargo test --locked --test api (PostgreSQL at $PG_URL)"
TEST_DATABASE_URL="$PG_URL" cargo test --locked --test api "$@"
