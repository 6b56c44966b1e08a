#!/usr/bin/env bash
# Performance: builds the release binary, measures tasks-api on its own
# (scripts/bench/own.py: cursor pages deep in 1,000,000 tasks against the
# first page, per_page=100, the 404 path, PATCH, POST, change feed pages at
# depth against the first, a 304 poll, a batch of 100 creates against single
# POSTs, peak RSS, start-up time, WAL size), and, where the side-by-side harness is present
# (../shared/bench, or BENCH_PEERS), runs it against Flask, FastAPI, the
# hand-tuned ceiling and the bare stack (scripts/bench/bare: poem-openapi and
# sea-orm used plainly, none of our features) in one run. Prints tables; saves JSON under
# target/bench/. Not part of CI (too slow); no test asserts a timing.
#
# Also: the same API on one SQLite process, one PostgreSQL process and three
# PostgreSQL processes behind nginx (scripts/bench/deploy.py); creates,
# PATCHes, moves and GETs from 1, 10, 100 and 1,000 owners and from 10 and
# 100 lists beside the bare stack's single-INSERT creates
# (scripts/bench/owners.py); and each per-owner operation at 10,000 tasks
# against SCALE_SIZES' largest (scripts/bench/scale.py; default 1,000,000,
# the issue-28 run 10,000,000).
#
# Overrides: DURATION (seconds per scenario, default 10), BENCH_PEERS,
# ROUNDS (harness rounds, default 1), SCALE_SIZES (default 10000,1000000),
# SKIP_OWN=1, SKIP_OWNERS=1, SKIP_PG=1, SKIP_COMPARE=1.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

: "${DURATION:=10}" "${ROUNDS:=1}" "${BENCH_PEERS:=../shared/bench}"
ROOT=$(pwd)
log "cargo build --release --locked"
cargo build --release --locked
if ! command -v wrk >/dev/null; then
  log "apt-get install wrk"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
fi
mkdir -p target/bench

if [[ -z "${SKIP_OWN:-}" ]]; then
  for sync in normal full; do
    log "tasks-api alone, synchronous=$sync"
    python3 scripts/bench/own.py target/release/tasks-api --duration "$DURATION" \
      --synchronous "$sync" --json "target/bench/own-$sync.json"
  done
fi

log "building the bare stack (scripts/bench/bare: poem-openapi + sea-orm, nothing of ours)"
(cd scripts/bench/bare && CARGO_TARGET_DIR="$ROOT/target/bare-target" cargo build --release --locked --quiet)

if [[ -z "${SKIP_OWNERS:-}" ]]; then
  log "many owners and lists, beside the bare stack's creates"
  python3 scripts/bench/owners.py --bin tasks-api=target/release/tasks-api \
    --bare target/bare-target/release/bare --dur "$DURATION" --rounds "$ROUNDS" \
    --json target/bench/owners.json
  log "per-owner operations as the database grows"
  python3 scripts/bench/scale.py target/release/tasks-api --sizes "${SCALE_SIZES:-10000,1000000}"
fi

if [[ -z "${SKIP_PG:-}" ]]; then
  log "deployment shapes: SQLite, PostgreSQL, 3 processes behind nginx"
  command -v nginx >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  PG=$(PGPORT=5435 scripts/pg.sh start)
  trap 'PGPORT=5435 scripts/pg.sh stop' EXIT
  python3 scripts/bench/deploy.py target/release/tasks-api "$PG" --duration "$DURATION" \
    --json target/bench/deploy.json
fi

if [[ -n "${SKIP_COMPARE:-}" || ! -f "$BENCH_PEERS/compare.py" ]]; then
  log "side-by-side harness not run (SKIP_COMPARE set or no $BENCH_PEERS/compare.py)"
  exit 0
fi

# The harness is read-only material: work on a copy under target/, keeping
# the peers' venv and the ceiling's build between runs.
HARNESS=target/bench-harness
mkdir -p "$HARNESS/bench"
tar -C "$BENCH_PEERS" --exclude=.venv -cf - . | tar -C "$HARNESS/bench" -xf -
ensure_venv "$HARNESS/bench/peers/.venv" -r "$HARNESS/bench/peers/requirements.lock.txt"
log "building the ceiling (hyper + rusqlite)"
# The copy sits inside this workspace's directory: make it a workspace of its own.
grep -q '^\[workspace\]' "$HARNESS/bench/peers/limit/Cargo.toml" \
  || printf '\n[workspace]\n' >>"$HARNESS/bench/peers/limit/Cargo.toml"
(cd "$HARNESS/bench/peers/limit" && CARGO_TARGET_DIR="$ROOT/target/ceiling-target" cargo build --release --quiet)
export CEILING_BIN="$ROOT/target/ceiling-target/release/limit"
BARE="bare:8006:exec $ROOT/target/bare-target/release/bare"
export TASKS_API_BIN="$ROOT/target/release/tasks-api"

# Seeded through the API (the same 10,000 POSTs for every server): the
# harness's SQL seeding copies row 1 whole, and tasks-api's change numbers
# are unique per owner.
log "side by side, tasks-api with synchronous=normal (as the peers)"
TASKS_API_ARGS="--auth none --sqlite-synchronous normal" python3 "$HARNESS/bench/compare.py" \
  --only flask,fastapi,ceiling,bare,tasks-api --baseline ceiling --loadgen wrk --seed-mode api \
  --server "$BARE" --duration "$DURATION" --rounds "$ROUNDS" --nice -15 --quiet-wait 0 \
  --json "$ROOT/target/bench/compare-normal.json"

log "tasks-api with its default synchronous=full, against the ceiling"
TASKS_API_ARGS="--auth none" python3 "$HARNESS/bench/compare.py" \
  --only ceiling,tasks-api --baseline ceiling --loadgen wrk --seed-mode api \
  --duration "$DURATION" --rounds "$ROUNDS" --nice -15 --quiet-wait 0 \
  --json "$ROOT/target/bench/compare-full.json"
