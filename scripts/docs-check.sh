#!/usr/bin/env bash
# Runs every walk-through example of README.md and docs/*.md against a fresh
# server and compares each response's status and shape with the page
# (scripts/docs/check.py says how). A drifted example fails.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

for tool in curl jq; do
  if ! command -v "$tool" >/dev/null; then
    log "apt-get install $tool"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null
  fi
done
log "cargo build --locked (the binary the examples run against)"
cargo build --locked --quiet
log "checking the examples of README.md and docs/"
python3 scripts/docs/check.py --bin target/debug/tasks-api "$@"
