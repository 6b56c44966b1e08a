# Shared helpers for the scripts: sourced, not run.

log() { echo "==> $*" >&2; }

# The debug binary the tests build (a release build is for benchmarks).
ensure_binary() {
  if [[ ! -x target/debug/tasks-api || -n "${REBUILD:-}" ]]; then
    log "cargo build --locked"
    cargo build --locked --quiet
  fi
  BIN=target/debug/tasks-api
}

# A Python venv under target/ with the given pinned packages.
ensure_venv() {
  local dir="$1"; shift
  if [[ ! -x "$dir/bin/python" ]]; then
    log "creating $dir"
    python3 -m venv "$dir"
  fi
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
}

# Starts the server on a fresh SQLite file and a free port, with an API key
# holding every scope made beforehand by `tasks-api keys create`; sets API_URL, API_KEY and
# SERVER_PID, and stops the server when the script exits. Rate limits are
# lifted: the suites send requests as fast as they can.
start_server() {
  SCRATCH=$(mktemp -d)
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  API_KEY=$("$BIN" keys create --owner scripts --name "$(basename "$0")" \
    --scope tasks:read,tasks:write,keys:manage,admin \
    --database-url "sqlite://$SCRATCH/tasks.db" 2>/dev/null)
  export API_KEY
  "$BIN" --bind "127.0.0.1:$port" --database-url "sqlite://$SCRATCH/tasks.db" \
    --rate-limit-per-sec 1000000 --rate-limit-burst 1000000 \
    "$@" >"$SCRATCH/server.log" 2>&1 &
  SERVER_PID=$!
  trap 'kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; rm -rf "$SCRATCH"' EXIT
  API_URL="http://127.0.0.1:$port"
  export API_URL
  for _ in $(seq 1 100); do
    if curl -fsS "$API_URL/healthz" >/dev/null 2>&1; then
      log "server on $API_URL (log: $SCRATCH/server.log)"
      return 0
    fi
    sleep 0.1
  done
  cat "$SCRATCH/server.log" >&2
  echo "the server did not start" >&2
  return 1
}
