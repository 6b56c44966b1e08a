#!/usr/bin/env bash
# Runs the whole test suite: unit tests and the HTTP integration tests (each
# test starts a real server on a random port with a fresh SQLite database).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> cargo test --workspace --locked --all-targets" >&2
cargo test --workspace --locked --all-targets "$@"
