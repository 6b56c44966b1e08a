#!/usr/bin/env bash
# Contract tests: schemathesis (pinned, in a venv under target/) against the
# committed openapi.yaml and the real binary on a fresh database, with every
# check, positive and negative data, and all phases (examples, coverage,
# fuzzing, stateful). Passes only with zero failures. Exceptions for
# documented refusals are in schemathesis.toml, each with its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

: "${SCHEMATHESIS_VERSION:=4.32.5}" "${EXAMPLES:=200}" "${SEED:=20261125}"
ensure_binary
ensure_venv target/venv-contract "schemathesis==$SCHEMATHESIS_VERSION"
# Schemathesis also sends requests without a key or with a bad one (they
# must be 401): the per-address limit on failed authentications is lifted so
# they do not lock out its authenticated requests.
start_server --auth-failure-burst 1000000

log "schemathesis $SCHEMATHESIS_VERSION: $EXAMPLES examples per operation, seed $SEED"
target/venv-contract/bin/schemathesis run openapi.yaml \
  --url "$API_URL" \
  --header "Authorization: Bearer $API_KEY" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$EXAMPLES" \
  --seed "$SEED" \
  --no-color
