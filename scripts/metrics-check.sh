#!/usr/bin/env bash
# /metrics read by the Prometheus project's own parser: prometheus_client
# (pinned, in a venv under target/) parses the OpenMetrics exposition of a
# server on a fresh database, and the request counters move by exactly the
# requests this script sends.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

: "${PROMETHEUS_CLIENT_VERSION:=0.23.1}"
ensure_binary
ensure_venv target/venv-metrics "prometheus-client==$PROMETHEUS_CLIENT_VERSION"
start_server
log "parsing $API_URL/metrics with prometheus_client $PROMETHEUS_CLIENT_VERSION"
target/venv-metrics/bin/python scripts/metrics/check.py "$API_URL" "$API_KEY"
