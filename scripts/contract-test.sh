#!/usr/bin/env bash
# Contract tests: schemathesis (pinned, in a venv under target/) against the
# committed openapi.yaml and the real binary on a fresh database, with every
# check, positive and negative data, and all phases (examples, coverage,
# fuzzing, stateful), with a key holding every scope; then the examples and
# coverage phases again with a key of each scope alone. Passes only with
# zero failures. Exceptions for
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

# The key DELETE /api/keys/{id} revokes (schemathesis.toml pins its id: a
# generated one could be the key schemathesis authenticates with).
make_key() {
  "$BIN" keys create --owner scripts --name "$1" --scope "$2" \
    --database-url "sqlite://$SCRATCH/tasks.db" 2>/dev/null
}
make_key "to revoke" tasks:read >/dev/null
VICTIM_KEY_ID=$("$BIN" keys list --database-url "sqlite://$SCRATCH/tasks.db" 2>/dev/null \
  | awk '$3 == "to" && $4 == "revoke" { print $1 }')
export VICTIM_KEY_ID

st() {
  target/venv-contract/bin/schemathesis run openapi.yaml --url "$API_URL" \
    --checks all --seed "$SEED" --no-color "$@"
}

log "schemathesis $SCHEMATHESIS_VERSION: $EXAMPLES examples per operation, seed $SEED, a key with every scope"
st --header "Authorization: Bearer $API_KEY" \
  --phases examples,coverage,fuzzing,stateful --max-examples "$EXAMPLES"

# Then a key of each scope alone: every operation it lacks the scope for
# must answer the documented 403 (a problem, with WWW-Authenticate).
for scope in tasks:read tasks:write keys:manage admin; do
  key=$(make_key "only $scope" "$scope")
  log "schemathesis: a key with only $scope (examples and coverage phases)"
  st --header "Authorization: Bearer $key" --phases examples,coverage --max-examples 20
done
