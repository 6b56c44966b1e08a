#!/usr/bin/env bash
# Generates a Python client from openapi.yaml with openapi-python-client
# (pinned, in a venv under target/), fails on any generator warning, starts
# the server on a fresh database and runs a short program through the client:
# create, list page 2, get, patch, delete, and a 404 and a 400 read as typed
# Problem values.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

: "${OPENAPI_PYTHON_CLIENT_VERSION:=0.29.1}"
ensure_binary
ensure_venv target/venv-sdk "openapi-python-client==$OPENAPI_PYTHON_CLIENT_VERSION"
start_server

OUT="$SCRATCH/client"
log "openapi-python-client $OPENAPI_PYTHON_CLIENT_VERSION generate"
target/venv-sdk/bin/openapi-python-client generate --path openapi.yaml --meta none \
  --output-path "$OUT/tasks_api_client" --config scripts/sdk/openapi-python-client.yaml \
  >"$SCRATCH/generate.log" 2>&1 || { cat "$SCRATCH/generate.log" >&2; exit 1; }
cat "$SCRATCH/generate.log" >&2
if grep -qi "warning" "$SCRATCH/generate.log"; then
  echo "openapi-python-client warned about the spec (above): failing" >&2
  exit 1
fi

log "exercising the generated client"
PYTHONPATH="$OUT" target/venv-sdk/bin/python scripts/sdk/python_client_check.py "$API_URL" "$API_KEY"
