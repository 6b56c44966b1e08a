#!/usr/bin/env bash
# Scale-out: a throwaway PostgreSQL, three tasks-api processes and nginx
# (Debian's package) as a round-robin load balancer, then the checks in
# scripts/scale/check.py: owners and keys shared through the database (a key
# revoked with the CLI is refused by every process within --key-cache-secs),
# Idempotency-Key retried across processes, If-Match
# races across processes, cursor paging while writes land elsewhere, a
# process SIGKILLed mid-load (nothing acknowledged lost, nginx routes around
# it), and a PostgreSQL outage (503 + Retry-After, then recovery with no
# restart). Loopback only; stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

export PGPORT="${PGPORT:-5434}"
: "${LB_PORT:=18700}"
ensure_binary
if ! command -v nginx >/dev/null; then
  log "apt-get install nginx"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq nginx >/dev/null
fi

SCRATCH=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -f "$SCRATCH/nginx.pid" ]] && kill "$(cat "$SCRATCH/nginx.pid")" 2>/dev/null || true
  scripts/pg.sh stop || true
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

PG=$(scripts/pg.sh start)
psql "$PG/postgres" -qc "CREATE DATABASE tasks" >/dev/null
# Keys made with the CLI (which also migrates the database before the
# processes start): two of one owner (one to revoke mid-run), one of another.
: "${KEY_CACHE_SECS:=2}"
export KEY_CACHE_SECS
keys() { "$BIN" keys "$@" --database-url "$PG/tasks" 2>/dev/null; }
API_KEY=$(keys create --owner scale --name checks)
REVOKE_KEY=$(keys create --owner scale --name revoked-mid-run)
OTHER_KEY=$(keys create --owner someone-else --name checks)
REVOKE_CMD="$BIN keys revoke ${REVOKE_KEY:0:12} --database-url $PG/tasks"
export API_KEY REVOKE_KEY OTHER_KEY REVOKE_CMD
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BACKENDS=()
UPSTREAMS=""
for i in 1 2 3; do
  port=$(free_port)
  "$BIN" --bind "127.0.0.1:$port" --database-url "$PG/tasks" \
    --db-connect-timeout-secs 3 --db-statement-timeout-secs 3 \
    --key-cache-secs "$KEY_CACHE_SECS" --rate-limit-per-sec 1000000 --rate-limit-burst 1000000 \
    >"$SCRATCH/api-$i.log" 2>&1 &
  PIDS+=($!)
  BACKENDS+=("http://127.0.0.1:$port")
  UPSTREAMS+="    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'
done
for b in "${BACKENDS[@]}"; do
  for _ in $(seq 1 100); do curl -fsS "$b/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
done

mkdir -p "$SCRATCH/nginx"
cat >"$SCRATCH/nginx.conf" <<CONF
user root;
worker_processes 1;
pid $SCRATCH/nginx.pid;
error_log $SCRATCH/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $SCRATCH/nginx/body;
  proxy_temp_path $SCRATCH/nginx/proxy;
  fastcgi_temp_path $SCRATCH/nginx/fastcgi;
  uwsgi_temp_path $SCRATCH/nginx/uwsgi;
  scgi_temp_path $SCRATCH/nginx/scgi;
  upstream tasks_api {
$UPSTREAMS    keepalive 32;
  }
  server {
    listen 127.0.0.1:$LB_PORT;
    client_max_body_size 2m;
    location / {
      proxy_pass http://tasks_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      # Retry another process only when the request never reached one
      # (writes are not retried blindly: Idempotency-Key is for that).
      proxy_next_upstream error timeout;
      proxy_connect_timeout 1s;
    }
  }
}
CONF
nginx -c "$SCRATCH/nginx.conf"
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$LB_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
log "nginx on :$LB_PORT in front of ${BACKENDS[*]}"

KILL_PID="${PIDS[1]}" PG_PAUSE="scripts/pg.sh pause" PG_RESUME="scripts/pg.sh start >/dev/null" \
  python3 scripts/scale/check.py "http://127.0.0.1:$LB_PORT" "${BACKENDS[@]}"
