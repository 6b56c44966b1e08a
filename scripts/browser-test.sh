#!/usr/bin/env bash
# Swagger UI in a real browser: installs Debian's chromium and the pinned
# playwright-core (never a downloaded browser), starts the server on a fresh
# database with an API key, and uses /docs as a person would: "Authorize"
# with the key, then "Try it out" and "Execute" on POST /api/tasks (201 with
# the new task shown), then on GET /api/tasks (the task listed). Fails on any
# console error (a Content-Security-Policy violation included), a /docs page
# without its CSP, or any request to another host.
# Saves a screenshot as target/browser/swagger-ui.png.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

if [[ ! -x /usr/bin/chromium ]]; then
  log "apt-get install chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
log "npm ci (playwright-core, pinned in scripts/browser/package-lock.json)"
(cd scripts/browser && npm ci --no-audit --no-fund --silent)

ensure_binary
start_server
mkdir -p target/browser
log "driving Swagger UI in $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
node scripts/browser/swagger-ui.mjs "$API_URL" "$API_KEY" target/browser/swagger-ui.png
