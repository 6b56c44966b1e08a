#!/usr/bin/env python3
"""Cursor (keyset) paging cost against depth, on a 1,000,000-task table.

Starts the given tasks-api binary on a fresh SQLite file, creates one task
through the API, clones it in SQL up to N rows, then times sequential GETs
(keep-alive, one connection) of: the first page, a cursor page near the
start, a cursor page at the end of the table, and the OFFSET page at the same
depth, for several sorts. Prints p50/p99 in milliseconds per scenario.
Not a test: it asserts nothing about time.
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from own import seed, start  # noqa: E402  (one way to seed and start, shared)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def get(conn, path):
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise SystemExit(f"GET {path} -> {resp.status}: {body[:200]!r}")
    return json.loads(body)


def timed(conn, path, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        get(conn, path)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--port", type=int, default=18123)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "tasks.db")
        t = time.monotonic()
        seed(args.binary, db, args.rows, args.port)
        log(f"seeded {args.rows} rows in {time.monotonic() - t:.1f}s")
        proc, _ = start(args.binary, db, args.port, ["--sqlite-synchronous", "normal"])
        conn = http.client.HTTPConnection("127.0.0.1", args.port)
        results = []
        try:
            for sort in ["id", "-id", "title", "-due_at", "due_at"]:
                pp = 10
                deep_page = args.rows // pp - 1
                first = get(conn, f"/api/tasks?sort={sort}&per_page={pp}")
                near = first["next_cursor"]
                deep = get(conn, f"/api/tasks?sort={sort}&per_page={pp}&page={deep_page}")["next_cursor"]
                scenarios = [
                    ("first page (page=1)", f"/api/tasks?sort={sort}&per_page={pp}"),
                    ("cursor after page 1", f"/api/tasks?sort={sort}&per_page={pp}&cursor={near}"),
                    (f"cursor at depth {deep_page * pp}", f"/api/tasks?sort={sort}&per_page={pp}&cursor={deep}"),
                    (f"offset page {deep_page}", f"/api/tasks?sort={sort}&per_page={pp}&page={deep_page}"),
                ]
                for name, path in scenarios:
                    repeat = args.repeat if "offset" not in name else max(5, args.repeat // 20)
                    p50, p99 = timed(conn, path, repeat)
                    results.append({"sort": sort, "scenario": name, "p50_ms": round(p50, 3),
                                    "p99_ms": round(p99, 3), "requests": repeat})
        finally:
            proc.terminate(); proc.wait()
    print(f"{'sort':<8} {'scenario':<28} {'p50 ms':>9} {'p99 ms':>9}")
    for r in results:
        print(f"{r['sort']:<8} {r['scenario']:<28} {r['p50_ms']:>9.3f} {r['p99_ms']:>9.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": args.rows, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
