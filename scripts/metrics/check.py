#!/usr/bin/env python3
"""Parses GET /metrics with the Prometheus project's own OpenMetrics parser
(prometheus_client) and checks the request counters move by exactly the
requests sent. Usage: check.py API_URL API_KEY"""
import json
import sys
import urllib.error
import urllib.request

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def call(url, key=None, body=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                 method="POST" if body else "GET")
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    if body:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode()


def scrape(base):
    status, headers, text = call(f"{base}/metrics")
    assert status == 200, status
    assert headers["Content-Type"].startswith("application/openmetrics-text"), headers
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def main(base, key):
    before = scrape(base)
    sent = {("/api/tasks", "POST", "2xx"): 3, ("/api/tasks", "GET", "2xx"): 4,
            ("/api/tasks/{id}", "GET", "4xx"): 2, ("/api/tasks", "GET", "4xx"): 1}
    for i in range(3):
        assert call(f"{base}/api/tasks", key, {"title": f"metric {i}"})[0] == 201
    for _ in range(4):
        assert call(f"{base}/api/tasks", key)[0] == 200
    for i in range(2):
        assert call(f"{base}/api/tasks/{990000 + i}", key)[0] == 404
    assert call(f"{base}/api/tasks")[0] == 401
    after = scrape(base)
    for (route, method, status), n in sent.items():
        key_ = ("tasks_api_http_requests_total",
                tuple(sorted({"route": route, "method": method, "status": status}.items())))
        moved = after.get(key_, 0) - before.get(key_, 0)
        assert moved == n, f"{route} {method} {status}: moved {moved}, sent {n}"
        print(f"ok: {method} {route} {status}: +{moved:g}")
    names = {name for name, _ in after}
    for wanted in ["tasks_api_http_request_duration_seconds_bucket", "tasks_api_http_requests_in_flight",
                   "tasks_api_db_query_duration_seconds_count", "tasks_api_db_pool_connections",
                   "tasks_api_process_resident_memory_bytes", "tasks_api_process_open_fds",
                   "tasks_api_build_info", "tasks_api_db_write_lock_wait_seconds_count"]:
        assert wanted in names, f"no {wanted}"
    print(f"ok: {len(after)} samples parsed by prometheus_client's OpenMetrics parser")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
