#!/usr/bin/env bash
# Cursor paging cost against depth in a 1,000,000-task table (issue 3).
# Builds the release binary, then prints p50/p99 of the first page, cursor
# pages near the start and at the end, and the OFFSET page at the same depth.
# Not part of CI; no test asserts a timing. Overrides: ROWS, REPEAT.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ROWS:=1000000}" "${REPEAT:=200}"
echo "==> cargo build --release" >&2
cargo build --release --locked
mkdir -p target/bench
python3 scripts/bench/cursor_depth.py target/release/tasks-api \
  --rows "$ROWS" --repeat "$REPEAT" --json target/bench/cursor-depth.json
