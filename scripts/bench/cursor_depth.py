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
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def start(binary, db, port):
    proc = subprocess.Popen(
        [binary, "--bind", f"127.0.0.1:{port}", "--database-url", f"sqlite://{db}",
         "--sqlite-synchronous", "normal"],
        stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


def get(conn, path):
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise SystemExit(f"GET {path} -> {resp.status}: {body[:200]!r}")
    return json.loads(body)


def clone_rows(db, n):
    con = sqlite3.connect(db)
    cols = [r[1] for r in con.execute("PRAGMA table_info(tasks)") if r[1] != "id"]
    collist = ", ".join(cols)
    select = ", ".join(
        # Spread titles, due dates and timestamps so every sort has work to do.
        {"title": "'task ' || (k % 1000)",
         "due_at": "CASE WHEN k % 7 = 0 THEN NULL ELSE 1700000000000000 + (k % 5000) * 1000000 END",
         "created_at": "1700000000000000 + k",
         "updated_at": "1700000000000000 + k"}.get(c, c)
        for c in cols)
    have = con.execute("SELECT count(*) FROM tasks").fetchone()[0]
    con.execute(
        f"""WITH RECURSIVE k(k) AS (SELECT {have} UNION ALL SELECT k + 1 FROM k WHERE k < {n - 1})
            INSERT INTO tasks ({collist}) SELECT {select} FROM tasks, k WHERE tasks.id = 1""")
    con.commit()
    con.execute("ANALYZE")
    con.close()


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
        proc = start(args.binary, db, args.port)
        c = http.client.HTTPConnection("127.0.0.1", args.port)
        c.request("POST", "/api/tasks", body='{"title":"seed"}',
                  headers={"content-type": "application/json"})
        assert c.getresponse().read() and True
        proc.terminate(); proc.wait()
        t = time.monotonic()
        clone_rows(db, args.rows)
        log(f"seeded {args.rows} rows in {time.monotonic() - t:.1f}s")
        proc = start(args.binary, db, args.port)
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
