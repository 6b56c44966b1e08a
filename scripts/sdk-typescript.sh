#!/usr/bin/env bash
# The TypeScript client (clients/typescript): installs its pinned packages
# (npm ci), fails when src/schema.ts is not what openapi-typescript makes of
# the committed openapi.yaml (`npm run generate` rewrites it), compiles the
# client and its tests with `tsc --strict` (test/types.ts holds the negative
# type tests: a looser schema fails here), and runs the suites on Node's own
# test runner against real servers started from the debug binary.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_binary
cd clients/typescript
log "npm ci (openapi-fetch, openapi-typescript, typescript; pinned in package-lock.json)"
npm ci --no-audit --no-fund --silent
log "src/schema.ts is what openapi-typescript generates from openapi.yaml"
npm run --silent generate -- --check || {
  echo "clients/typescript/src/schema.ts is stale: run 'npm run generate' in clients/typescript and commit" >&2
  exit 1
}
log "tsc --strict, then node --test"
TASKS_API_BIN="$PWD/../../$BIN" npm test
