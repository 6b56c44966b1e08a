#!/usr/bin/env python3
"""What each per-owner operation costs as the database grows.

For each size (default 10,000 and 1,000,000 tasks; the issue-28 run is
`--sizes 10000,10000000`) a SQLite database of owners with 100 tasks each
(one inbox each; every 10th task labelled "work"), seeded with SQL in the
shape the API leaves (change numbers, positions, kept counts, members).
Then, one request at a time against the release binary, as a client sends
them, the first owner's operations, the sizes served at once and measured
in turn, round by round (`--rounds`), so that a slow spell of the machine
falls on every size alike and each size's list goes through the same
writes: GET by id, a list page with its
total, a cursor page, a feed page, a create, a PATCH, a trash, an
undelete, a purge (each of a task with one subtask), a move, a batch of
10 creates, the label filter and `/api/labels`. Prints the median of each
(ms) per size over all rounds and the ratio of the largest size to the smallest, beside
the database's size, the start-up time on it and the server's peak RSS.
A statement that grows with the database shows as a ratio above 1.
Not a test: nothing here asserts a timing.

    scripts/bench/scale.py target/release/tasks-api [--sizes 10000,1000000] [--each 100]
        [--postgres postgres://postgres@127.0.0.1:5435 --pg-log /tmp/tasks-api-pg-5435/server.log]
        [--first-list 200000]

With `--first-list N` the first owner's list holds N tasks (sorted, as a
list of 1,000 or more is): what a big list's operations cost as the
database around it grows (the pages by title and by update time too).

With `--postgres` the same on PostgreSQL (a database per size, seeded with
generate_series), and then each operation once more with every statement's
plan logged (auto_explain, generic plans forced): prints each statement
whose plan reads a table sequentially or sorts, or "none".
"""
import argparse
import http.client
import json
import os
import sqlite3
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from own import HOST, log, rss_peak_kib, start  # noqa: E402

PER_OWNER = 100


def first_task(binary, db, port):
    """Migrates `db` (a SQLite file or a URL) and makes the first owner's
    first task through the API: its inbox (list 1) with it."""
    proc, _ = start(binary, db, port, [])
    c = http.client.HTTPConnection(HOST, port)
    c.request("POST", "/api/tasks", body='{"title":"first"}',
              headers={"content-type": "application/json"})
    assert c.getresponse().status == 201
    proc.terminate()
    proc.wait()


def first_list(size, tasks, postgres):
    """Statements that grow list 1 from 100 tasks to `tasks` (ids from
    size + 1), sorted, as the API leaves a list that big."""
    extra = tasks - PER_OWNER
    n = "(k - 1)"
    key = f"chr(96 + length({n}::text)) || {n}::text" if postgres else f"char(96 + length({n})) || {n}"
    series = (f"generate_series({PER_OWNER + 1}::bigint, {tasks}) k" if postgres else
              f"(WITH RECURSIVE s(k) AS (SELECT {PER_OWNER + 1} UNION ALL SELECT k + 1 FROM s "
              f"WHERE k < {tasks}) SELECT k FROM s)")
    return [f"""INSERT INTO tasks (id, title, done, created_at, updated_at, version, list_id, change_seq,
                                   position, labels, due_at, sorted)
                SELECT {size} - {PER_OWNER} + k, 'task ' || (k % 1000), k % 3 = 0,
                       1800000000000000 + k, 1800000000000000 + k, 1, 1, k, {key},
                       CASE WHEN k % 10 = 0 THEN 'work' ELSE '' END,
                       CASE WHEN k % 7 = 0 THEN NULL ELSE 1700000000000000 + (k % 5000) * 1000000 END,
                       TRUE
                FROM {series}""",
            f"INSERT INTO task_labels (task_id, label, list_id) SELECT id, 'work', 1 FROM tasks "
            f"WHERE list_id = 1 AND id > {size} AND labels = 'work'",
            "UPDATE tasks SET sorted = TRUE WHERE list_id = 1",
            f"""UPDATE task_lists SET sorted = TRUE, change_seq = {tasks}, live_tasks = {tasks},
                  live_done = (SELECT COUNT(*) FROM tasks WHERE list_id = 1 AND done) WHERE id = 1"""] + (
        [f"SELECT setval(pg_get_serial_sequence('tasks', 'id'), {size + extra})"] if postgres else [])


def seed(binary, db, size, port, big=0):
    """`size` tasks over size / 100 owners, owner k's inbox list k; the
    first owner's tasks in pairs, each second one a subtask of the one
    before (so trash, undelete and purge carry a subtree of one)."""
    first_task(binary, db, port)
    owners = max(1, size // PER_OWNER)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    # Owner 1 and its inbox (list 1) came from the API; the others alike.
    con.execute(f"""WITH RECURSIVE k(k) AS (SELECT 2 UNION ALL SELECT k + 1 FROM k WHERE k < {owners})
                    INSERT INTO owners (id, name, created_at) SELECT k, 'owner-' || k, 0 FROM k""")
    con.execute("""INSERT INTO task_lists (id, title, created_at, updated_at, version, inbox_of,
                                           event_seq, members)
                   SELECT id, 'Inbox', 0, 0, 1, id, 1, 1 FROM owners WHERE id > 1""")
    con.execute("""INSERT INTO list_members (list_id, owner_id, role, added_at)
                   SELECT id, id, 'owner', 0 FROM owners WHERE id > 1""")
    con.execute("DELETE FROM tasks")
    # Task k (from 1) is number n = (k - 1) % 100 of list (k - 1) / 100 + 1:
    # change number n + 1, position OrderKey::of_number(n).
    n = "((k - 1) % 100)"
    con.execute(f"""WITH RECURSIVE k(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM k WHERE k < {size})
        INSERT INTO tasks (id, title, done, created_at, updated_at, version, list_id, change_seq,
                           position, labels, due_at)
        SELECT k, 'task ' || (k % 1000), k % 3 = 0, 1700000000000000 + k, 1700000000000000 + k, 1,
               (k - 1) / 100 + 1, {n} + 1, char(96 + length({n})) || {n},
               CASE WHEN k % 10 = 0 THEN 'work' ELSE '' END,
               CASE WHEN k % 7 = 0 THEN NULL ELSE 1700000000000000 + (k % 5000) * 1000000 END
        FROM k""")
    con.execute("INSERT INTO task_labels (task_id, label, list_id) "
                "SELECT id, 'work', list_id FROM tasks WHERE id % 10 = 0")
    con.execute("""UPDATE task_lists SET change_seq = 100, live_tasks = 100,
                     live_done = (SELECT COUNT(*) FROM tasks WHERE list_id = task_lists.id AND done)""")
    # The first owner's first 40 tasks in pairs: a task and its subtask.
    con.execute("UPDATE tasks SET parent_id = id - 1, position = 'a0' WHERE id <= 40 AND id % 2 = 0")
    for statement in first_list(size, big, False) if big > PER_OWNER else []:
        con.execute(statement)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    os.sync()  # the seed's pages on disk now, not written back while measuring
    return [k for k in range(1, 41, 2)]

def pg_seed(binary, admin_url, name, size, port, big=0):
    """`seed` on PostgreSQL: database `name` on the server of `admin_url`."""
    def psql(url, sql):
        done = subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                              capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"psql: {done.stderr}")
    psql(admin_url, f"DROP DATABASE IF EXISTS {name}")
    psql(admin_url, f"CREATE DATABASE {name}")
    url = f"{admin_url.rstrip('/')}/{name}"
    first_task(binary, url, port)
    owners = max(1, size // PER_OWNER)
    n = "((k - 1) % 100)"
    psql(url, f"""
        INSERT INTO owners (id, name, created_at) SELECT k, 'owner-' || k, 0 FROM generate_series(2, {owners}) k;
        INSERT INTO task_lists (id, title, created_at, updated_at, version, inbox_of, event_seq, members)
          SELECT id, 'Inbox', 0, 0, 1, id, 1, 1 FROM owners WHERE id > 1;
        INSERT INTO list_members (list_id, owner_id, role, added_at)
          SELECT id, id, 'owner', 0 FROM owners WHERE id > 1;
        DELETE FROM tasks;
        INSERT INTO tasks (id, title, done, created_at, updated_at, version, list_id, change_seq,
                           position, labels, due_at)
          SELECT k, 'task ' || (k % 1000), k % 3 = 0, 1700000000000000 + k, 1700000000000000 + k, 1,
                 (k - 1) / 100 + 1, {n} + 1, chr(96 + length({n}::text)) || {n}::text,
                 CASE WHEN k % 10 = 0 THEN 'work' ELSE '' END,
                 CASE WHEN k % 7 = 0 THEN NULL ELSE 1700000000000000 + (k % 5000) * 1000000 END
          FROM generate_series(1::bigint, {size}) k;
        INSERT INTO task_labels (task_id, label, list_id) SELECT id, 'work', list_id FROM tasks WHERE id % 10 = 0;
        UPDATE task_lists SET change_seq = 100, live_tasks = 100,
          live_done = (SELECT COUNT(*) FROM tasks WHERE list_id = task_lists.id AND done);
        UPDATE tasks SET parent_id = id - 1, position = 'a0' WHERE id <= 40 AND id % 2 = 0;
        SELECT setval(pg_get_serial_sequence('tasks', 'id'), {size});
        SELECT setval(pg_get_serial_sequence('owners', 'id'), {owners});
        SELECT setval(pg_get_serial_sequence('task_lists', 'id'), {owners});""")
    if big > PER_OWNER:
        psql(url, ";\n".join(first_list(size, big, True)))
    psql(url, "VACUUM ANALYZE")
    # The seed's dirty buffers written now: otherwise the checkpointer
    # spreads gigabytes of writes over the measurement at 10 M.
    psql(url, "CHECKPOINT")
    os.sync()
    return url, [k for k in range(1, 41, 2)]


def pg_plans(binary, url, port, pg_log):
    """Each operation once with every statement's plan logged (generic
    plans forced): the statements whose plan scans a table or sorts."""
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    settings = ["session_preload_libraries = 'auto_explain'", "auto_explain.log_min_duration = 0",
                "plan_cache_mode = force_generic_plan"]
    for setting in settings:
        subprocess.run(["psql", "-q", admin, "-c", f"ALTER DATABASE {name} SET {setting}"], check=True)
    mark = os.path.getsize(pg_log)
    proc, _ = start(binary, url, port, [])
    try:
        measure(Client(port), list(range(41, 47, 2)), 1)
    finally:
        proc.terminate()
        proc.wait()
    with open(pg_log, errors="replace") as f:
        f.seek(mark)
        text = f.read()
    plans = re.split(r"\n[^\n]*LOG:  duration: [\d.]+ ms  plan:\n", "\n" + text)[1:]
    found = []
    for plan in plans:
        query = re.search(r"Query Text: (.*)", plan)
        nodes = re.findall(r"(Seq Scan on \w+|Sort\b|Bitmap Heap Scan on \w+)", plan)
        if nodes and query:
            found.append(f"{sorted(set(nodes))}: {query.group(1)[:400]}")
    return len(plans), sorted(set(found))


class Client:
    def __init__(self, port):
        self.c = http.client.HTTPConnection(HOST, port)

    def send(self, method, path, body=None):
        data = json.dumps(body) if body is not None else (b"" if method in ("POST", "DELETE") else None)
        headers = {"content-type": "application/json"} if body is not None else {}
        self.c.request(method, path, body=data, headers=headers)
        resp = self.c.getresponse()
        raw = resp.read()
        if resp.status >= 300:
            raise SystemExit(f"{method} {path}: {resp.status} {raw[:300]!r}")
        return json.loads(raw) if raw else None

    def timed(self, requests):
        took = []
        for method, path, body in requests:
            at = time.perf_counter()
            self.send(method, path, body)
            took.append((time.perf_counter() - at) * 1000)
        return took


def measure(c, parents, each):
    """The ms each operation of owner 1 (list 1: tasks 1-100) took, each
    request's."""
    page1 = c.send("GET", "/api/tasks?per_page=10")
    ops = {
        "GET by id": [("GET", f"/api/tasks/{41 + i % 60}", None) for i in range(each)],
        "list page 2 (total)": [("GET", "/api/tasks?page=2&per_page=10", None)] * each,
        "page 2 by title": [("GET", "/api/tasks?page=2&per_page=10&sort=title", None)] * each,
        "page 2 by -updated_at": [("GET", "/api/tasks?page=2&per_page=10&sort=-updated_at", None)]
                                 * each,
        "cursor page": [("GET", f"/api/tasks?per_page=10&cursor={page1['next_cursor']}", None)] * each,
        "feed page of 50": [("GET", "/api/tasks/changes?per_page=50", None)] * each,
        "label filter": [("GET", "/api/tasks?label=work&per_page=10", None)] * each,
        "/api/labels": [("GET", "/api/labels", None)] * each,
        "create": [("POST", "/api/tasks", {"title": f"new {i}"}) for i in range(each)],
        "PATCH": [("PATCH", f"/api/tasks/{41 + i % 60}", {"done": i % 2 == 0}) for i in range(each)],
        "move": [("POST", f"/api/tasks/{41 + i % 60}/move", {"after_id": 41 + (i * 7 + 3) % 60})
                 for i in range(each) if i % 60 != (i * 7 + 3) % 60],
        "batch of 10 creates": [("POST", "/api/tasks/batch",
                                 {"operations": [{"op": "create", "task": {"title": "b"}}] * 10})]
                               * max(1, each // 5),
        "trash": [("DELETE", f"/api/tasks/{p}", None) for p in parents],
        "undelete": [("POST", f"/api/tasks/{p}/undelete", None) for p in parents],
        "purge": [("DELETE", f"/api/tasks/{p}?purge=true", None) for p in parents],
    }
    return {name: c.timed(requests) for name, requests in ops.items() if requests}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--sizes", default="10000,1000000")
    ap.add_argument("--each", type=int, default=100, help="requests of each operation, in all")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--first-list", type=int, default=0, help="tasks in the first owner's list")
    ap.add_argument("--port", type=int, default=18400)
    ap.add_argument("--dir", help="where the databases go (default: a temporary directory)")
    ap.add_argument("--postgres", help="a PostgreSQL server's URL: measure there instead")
    ap.add_argument("--pg-log", help="that server's log file (for the plans)")
    args = ap.parse_args()
    if args.postgres:
        return main_pg(args)
    extra = ["--sqlite-synchronous", "normal"]
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        dbs, parents, starts = {}, {}, {}
        for size in sizes:
            dbs[size] = os.path.join(tmp, f"{size}.db")
            at = time.monotonic()
            parents[size] = seed(args.binary, dbs[size], size, args.port, args.first_list)
            log(f"seeded {size} tasks in {time.monotonic() - at:.0f} s")
            starts[size] = []
            for _ in range(3):
                proc, ready = start(args.binary, dbs[size], args.port, extra)
                starts[size].append(ready * 1000)
                proc.terminate()
                proc.wait()
        table, rss = in_rounds(args, dbs, extra, parents)
        facts = {size: (os.path.getsize(dbs[size]) / 1e6, statistics.median(starts[size]),
                        rss[size] / 1024) for size in sizes}
    report(table, facts, args.first_list)


def in_rounds(args, dbs, extra, parents):
    """Serves each size's database (`dbs`: size -> file or URL) at once,
    with flags `extra`, and measures them in turn, `args.rounds` rounds of
    `args.each / args.rounds` requests of each operation: the median of
    each size's requests of each operation, and each server's peak RSS."""
    procs, clients, took = {}, {}, {}
    try:
        for i, (size, db) in enumerate(dbs.items()):
            procs[size], _ = start(args.binary, db, args.port + i, extra)
            clients[size] = Client(args.port + i)
            measure(clients[size], [], 10)  # warm the caches once
            took[size] = {}
        for r in range(args.rounds):
            for size, c in clients.items():
                times = measure(c, parents[size][r::args.rounds], max(1, args.each // args.rounds))
                for name, ms in times.items():
                    took[size].setdefault(name, []).extend(ms)
            log(f"round {r + 1} of {args.rounds}")
        rss = {size: rss_peak_kib(proc.pid) for size, proc in procs.items()}
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait()
    table = {size: {name: statistics.median(ms) for name, ms in ops.items()}
             for size, ops in took.items()}
    return table, rss


def main_pg(args):
    sizes = [int(s) for s in args.sizes.split(",")]
    urls, parents, plans = {}, {}, {}
    for size in sizes:
        at = time.monotonic()
        urls[size], parents[size] = pg_seed(args.binary, args.postgres, f"scale_{size}", size,
                                            args.port, args.first_list)
        log(f"seeded {size} tasks on PostgreSQL in {time.monotonic() - at:.0f} s")
    table, _ = in_rounds(args, urls, [], parents)
    if args.pg_log:
        for size in sizes:
            plans[size] = pg_plans(args.binary, urls[size], args.port, args.pg_log)
    report(table, {}, args.first_list)
    for size, (count, found) in plans.items():
        print(f"\n{size:,} tasks: {count} statements' plans (generic), scans and sorts:")
        for line in found or ["none"]:
            print(f"  {line}")


def report(table, facts, first):
    sizes = sorted(table)
    print(f"\nper-owner operations (the first owner's list: {max(first, PER_OWNER):,} tasks), "
          "median ms, one request at a time")
    print(f"{'operation':<22}" + "".join(f"{s:>14,}" for s in sizes) + f"{'ratio':>8}")
    for name in table[sizes[-1]]:
        row = [table[s][name] for s in sizes]
        print(f"{name:<22}" + "".join(f"{v:>14.2f}" for v in row) + f"{row[-1] / row[0]:>8.2f}")
    for i, what in enumerate(["database MB", "ready after start ms", "peak RSS MiB"]):
        if facts:
            print(f"{what:<22}" + "".join(f"{facts[s][i]:>14.1f}" for s in sizes))


if __name__ == "__main__":
    main()
