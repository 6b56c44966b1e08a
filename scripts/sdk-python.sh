#!/usr/bin/env bash
# The Python client (clients/python, committed): regenerates it from
# openapi.yaml with openapi-python-client (pinned, in a venv under target/),
# fails on any generator warning or on any difference from the committed
# package (run with UPDATE=1 to rewrite it), then starts the server on a
# fresh database and runs a program through the committed client: CRUD,
# paging, problems as typed values, a batch from the operation types, a
# replica kept through the feed, moves and labels.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

: "${OPENAPI_PYTHON_CLIENT_VERSION:=0.29.1}"
ensure_binary
ensure_venv target/venv-sdk "openapi-python-client==$OPENAPI_PYTHON_CLIENT_VERSION"
start_server

OUT="$SCRATCH/python"
log "openapi-python-client $OPENAPI_PYTHON_CLIENT_VERSION generate"
target/venv-sdk/bin/openapi-python-client generate --path openapi.yaml --meta uv \
  --output-path "$OUT" --config scripts/sdk/openapi-python-client.yaml \
  >"$SCRATCH/generate.log" 2>&1 || { cat "$SCRATCH/generate.log" >&2; exit 1; }
cat "$SCRATCH/generate.log" >&2
if grep -qi "warning" "$SCRATCH/generate.log"; then
  echo "openapi-python-client warned about the spec (above): failing" >&2
  exit 1
fi

if [[ "${UPDATE:-}" == 1 ]]; then
  rm -rf clients/python && cp -r "$OUT" clients/python
  log "clients/python rewritten"
elif ! diff -r -x __pycache__ "$OUT" clients/python >"$SCRATCH/drift.txt"; then
  head -50 "$SCRATCH/drift.txt" >&2
  echo "clients/python differs from what openapi.yaml generates: run UPDATE=1 scripts/sdk-python.sh and commit" >&2
  exit 1
fi

log "exercising the committed client (clients/python)"
PYTHONPATH=clients/python target/venv-sdk/bin/python scripts/sdk/python_client_check.py "$API_URL" "$API_KEY"
