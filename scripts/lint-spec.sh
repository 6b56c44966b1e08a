#!/usr/bin/env bash
# Lints openapi.yaml with Redocly CLI (pinned; config in redocly.yaml).
# Fails on any error or warning.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

log "npm ci (@redocly/cli, pinned in scripts/lint/package-lock.json)"
(cd scripts/lint && npm ci --no-audit --no-fund --silent)
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
log "redocly lint openapi.yaml"
scripts/lint/node_modules/.bin/redocly lint openapi.yaml --max-problems 100 --format stylish 2>&1 \
  | grep -v -e '^ *[╔║╚]' -e '^$' | tee "${TMPDIR:-/tmp}/redocly-lint.txt"
if grep -qE ' (error|warning) ' "${TMPDIR:-/tmp}/redocly-lint.txt"; then
  echo "openapi.yaml has lint problems (above)" >&2
  exit 1
fi
