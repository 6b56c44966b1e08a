#!/usr/bin/env python3
"""Deployment shapes side by side: one process on SQLite, one process on
PostgreSQL, three processes on PostgreSQL behind nginx (round robin). Each
on 10,000 tasks, measured with wrk at 32 connections: list page 2, get by
id, create. Usage: deploy.py BINARY PG_URL (a server URL without database)
NGINX_CONF_DIR. Prints one table; writes JSON with --json."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from own import lua, run_wrk, seed, start, wait_ready  # noqa: E402

SCENARIOS = [
    ("list page 2 of 5", "/api/tasks?page=2&per_page=5", lambda rows: lua("GET")),
    ("get by id", "/api/tasks/1", lambda rows: lua("GET", random_ids=rows)),
    ("create (201)", "/api/tasks", lambda rows: lua("POST", body='{"title":"benchmark task"}')),
]


def psql(url, sql):
    subprocess.run(["psql", url, "-qc", sql], check=True, stdout=subprocess.DEVNULL)


def columns(url):
    """{table: [column, ...]} of the tasks and owners tables."""
    out = subprocess.run(
        ["psql", url, "-tAc", "SELECT table_name, column_name FROM information_schema.columns "
                              "WHERE table_name IN ('tasks', 'owners')"],
        check=True, capture_output=True, text=True).stdout
    has = {"tasks": [], "owners": []}
    for line in out.splitlines():
        table, _, column = line.partition("|")
        has.setdefault(table, []).append(column)
    return has


def seed_pg(binary, pg, db, rows, port):
    psql(f"{pg}/postgres", f"DROP DATABASE IF EXISTS {db}")
    psql(f"{pg}/postgres", f"CREATE DATABASE {db}")
    proc = subprocess.Popen([binary, "--bind", f"127.0.0.1:{port}", "--database-url", f"{pg}/{db}",
                             "--auth", "none"],
                            stderr=subprocess.DEVNULL)
    wait_ready(port)
    proc.terminate(); proc.wait()
    # The first owner's tasks, numbered in its change history, and its kept
    # counts: as if they had been created through the API (each where the
    # binary's schema has it, so older releases can be measured too).
    has = columns(f"{pg}/{db}")
    extra = [(c, e) for c, e in [
        ("change_seq", "k"),
        # Top-level, in id order: the key of number k (OrderKey::of_number).
        ("position", "chr(96 + length(k::text)) || k::text"),
    ] if c in has["tasks"]]
    psql(f"{pg}/{db}",
         "INSERT INTO tasks (owner_id, title, description, done, due_at, created_at, updated_at, "
         f"version{''.join(', ' + c for c, _ in extra)}) "
         f"SELECT (SELECT MIN(id) FROM owners), 'task ' || k, NULL, false, NULL, "
         f"1700000000000000 + k, 1700000000000000 + k, 1{''.join(', ' + e for _, e in extra)} "
         f"FROM generate_series(1, {rows}) AS k")
    kept = [f"{c} = (SELECT {e} FROM tasks)" for c, e in
            [("change_seq", "MAX(change_seq)"), ("live_tasks", "COUNT(*)")] if c in has["owners"]]
    if kept:
        psql(f"{pg}/{db}", f"UPDATE owners SET {', '.join(kept)} WHERE id = (SELECT MIN(id) FROM owners)")
    # As autovacuum would have done by now: lets COUNT(*) use an index-only scan.
    psql(f"{pg}/{db}", "VACUUM ANALYZE tasks")


def measure(label, port, rows, duration):
    out = []
    for name, path, script in SCENARIOS:
        r = run_wrk(port, path, script(rows), duration, 32)
        out.append({"shape": label, "scenario": name, **r})
        print(f"{label}: {name}: {r}", file=sys.stderr, flush=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("pg")
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--pool", type=int, default=10,
                    help="--db-max-connections of each PostgreSQL process")
    ap.add_argument("--json")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "tasks.db")
        seed(args.binary, db, args.rows, 18800)
        proc, _ = start(args.binary, db, 18800, ["--sqlite-synchronous", "normal"])
        results += measure("1 process, SQLite (normal)", 18800, args.rows, args.duration)
        proc.terminate(); proc.wait()

        seed_pg(args.binary, args.pg, "bench", args.rows, 18801)
        url = f"{args.pg}/bench"
        procs = []
        for i, port in enumerate([18801, 18802, 18803]):
            procs.append(subprocess.Popen(
                [args.binary, "--bind", f"127.0.0.1:{port}", "--database-url", url,
                 "--db-max-connections", str(args.pool), "--auth", "none"],
                stderr=subprocess.DEVNULL))
            wait_ready(port)
            if i == 0:
                results += measure("1 process, PostgreSQL", port, args.rows, args.duration)
        conf = os.path.join(tmp, "nginx.conf")
        os.makedirs(os.path.join(tmp, "nginx"), exist_ok=True)
        with open(conf, "w") as f:
            f.write(f"""user root; worker_processes 2; pid {tmp}/nginx.pid; error_log {tmp}/nginx.err warn;
events {{ worker_connections 1024; }}
http {{ access_log off; client_body_temp_path {tmp}/nginx/b; proxy_temp_path {tmp}/nginx/p;
  fastcgi_temp_path {tmp}/nginx/f; uwsgi_temp_path {tmp}/nginx/u; scgi_temp_path {tmp}/nginx/s;
  upstream t {{ server 127.0.0.1:18801; server 127.0.0.1:18802; server 127.0.0.1:18803; keepalive 64; }}
  server {{ listen 127.0.0.1:18810; location / {{ proxy_pass http://t; proxy_http_version 1.1;
    proxy_set_header Connection ""; }} }} }}
""")
        subprocess.run(["nginx", "-c", conf], check=True)
        wait_ready(18810)
        results += measure("3 processes, PostgreSQL, nginx", 18810, args.rows, args.duration)
        with open(f"{tmp}/nginx.pid") as f:
            os.kill(int(f.read().strip()), 15)
        for p in procs:
            p.terminate(); p.wait()
    print(f"\n{'shape':<34} {'scenario':<18} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for r in results:
        print(f"{r['shape']:<34} {r['scenario']:<18} {r['rps']:>8.0f} {r['p50_ms']:>8.2f} "
              f"{r['p99_ms']:>8.2f} {r['non_2xx']:>6}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
