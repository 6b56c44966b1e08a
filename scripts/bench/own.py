#!/usr/bin/env python3
"""tasks-api on its own: scenarios the side-by-side harness lacks.

Starts the release binary on a seeded SQLite file and measures each
scenario with wrk at 32 connections: requests/s, p50, p99, non-2xx/3xx
answers, plus peak RSS, start-up time on an existing database, and the size
of the -wal file after sustained writes. The change feed: a page of a full
sync against a page 1,000 changes from the end of 1,000,000, and a 304 poll;
a batch of 100 creates against single POSTs (tasks/s). Manual order: a
move among 100,000 siblings against one among 10. Labels: the label filter
at 1,000,000 tasks for a label on 10 % and on 0.1 % of them, with the
query plan SQLite makes of the server's statements. Prints one table;
writes JSON.
Not a test: nothing here asserts a timing.
"""
import argparse
import base64
import http.client
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HOST = "127.0.0.1"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def wait_ready(port, timeout=30.0):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            c = http.client.HTTPConnection(HOST, port, timeout=1)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return time.monotonic() - start
        except OSError:
            time.sleep(0.005)
    raise SystemExit("server did not become ready")


def start(binary, db, port, extra):
    """Serves `db` (a SQLite file, or a database URL)."""
    # Single-user on loopback unless a scenario asks for keys.
    auth = [] if "--auth" in extra else ["--auth", "none"]
    url = db if "://" in db else f"sqlite://{db}"
    proc = subprocess.Popen(
        [binary, "--bind", f"{HOST}:{port}", "--database-url", url, *auth, *extra],
        stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return proc, wait_ready(port)


def rss_peak_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def seed(binary, db, rows, port, labelled=False):
    proc, _ = start(binary, db, port, [])
    c = http.client.HTTPConnection(HOST, port)
    c.request("POST", "/api/tasks", body='{"title":"seed task"}',
              headers={"content-type": "application/json"})
    assert c.getresponse().status == 201
    proc.terminate(); proc.wait()
    con = sqlite3.connect(db)
    cols = [r[1] for r in con.execute("PRAGMA table_info(tasks)") if r[1] != "id"]
    collist = ", ".join(cols)
    select = ", ".join(
        {"title": "'task ' || (k % 1000)",
         "due_at": "CASE WHEN k % 7 = 0 THEN NULL ELSE 1700000000000000 + (k % 5000) * 1000000 END",
         "created_at": "1700000000000000 + k",
         "change_seq": "1 + k",
         # Top-level, in id order: the key of number k + 1 (OrderKey::of_number).
         "position": "char(96 + length(k + 1)) || (k + 1)",
         "updated_at": "1700000000000000 + k"}.get(c, c) for c in cols)
    con.execute(
        f"""WITH RECURSIVE k(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM k WHERE k < {rows - 1})
            INSERT INTO tasks ({collist}) SELECT {select} FROM tasks, k WHERE tasks.id = 1""")
    # The counters of the list the tasks are in (each owner's inbox): the
    # last change number given out and the kept counts, as if every task
    # had been created through the API.
    con.execute("""UPDATE task_lists SET change_seq = (SELECT MAX(change_seq) FROM tasks),
                     live_tasks = (SELECT COUNT(*) FROM tasks),
                     live_done = (SELECT COUNT(*) FROM tasks WHERE done)
                   WHERE id = (SELECT list_id FROM tasks LIMIT 1)""")
    mark_sorted(con)
    if labelled:
        # Every 10th task is labelled "work", every 1,000th also "rare".
        con.execute("UPDATE tasks SET labels = CASE WHEN id % 1000 = 0 THEN 'rare,work' "
                    "ELSE 'work' END WHERE id % 10 = 0")
        con.execute("INSERT INTO task_labels (task_id, label, list_id) "
                    "SELECT id, 'work', list_id FROM tasks WHERE id % 10 = 0")
        con.execute("INSERT INTO task_labels (task_id, label, list_id) "
                    "SELECT id, 'rare', list_id FROM tasks WHERE id % 1000 = 0")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def mark_sorted(con):
    """What the server does when a list passes 1,000 live tasks (src/db/sorted.rs):
    the list and its tasks kept in the sort indexes. Seeding by SQL skips the
    server's writes, so it does it here (builds before the flag have no column)."""
    if "sorted" not in [r[1] for r in con.execute("PRAGMA table_info(task_lists)")]:
        return
    con.execute("UPDATE task_lists SET sorted = TRUE WHERE live_tasks >= 1000")
    con.execute("UPDATE tasks SET sorted = TRUE "
                "WHERE list_id IN (SELECT id FROM task_lists WHERE sorted)")


def feed_token(owner, after, origin=0, list_id=1):
    """The change feed's `since` token for a position in one list (the
    server's own encoding, src/api/tasks/token.rs: version 2, then the
    owner, the scope (0: every list), the number of lists and each list's
    id step, last number seen and origin past it, as LEB128 varints): a
    position deep in the history without reading every page before it."""
    raw = bytearray([2])
    for n in (owner, 0, 1, list_id, after, max(0, origin - after)):
        while True:
            low, n = n & 0x7F, n >> 7
            raw.append(low | (0x80 if n else 0))
            if not n:
                break
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def lua(method, body=None, path=None, random_ids=None, key=None, headers=None):
    lines = [f'wrk.method = "{method}"', 'wrk.headers["Content-Type"] = "application/json"']
    for name, value in (headers or {}).items():
        lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    if key:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {key}"')
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    if random_ids:
        lines.append("math.randomseed(42)")
        lines.append("request = function() return wrk.format(nil, "
                     f'"/api/tasks/" .. math.random(1, {random_ids})) end')
    elif path:
        lines.append(f'request = function() return wrk.format(nil, "{path}") end')
    lines.append("""
non_ok = 0
response = function(status, headers, body)
  if status >= 400 then non_ok = non_ok + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("NONOK %d\\n", non_ok))
end""")
    return "\n".join(lines)


def run_wrk(port, path, script, duration, connections, threads=2):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        script_path = f.name
    try:
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
             "-s", script_path, f"http://{HOST}:{port}{path}"],
            capture_output=True, text=True, timeout=duration + 60).stdout
    finally:
        os.unlink(script_path)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    bad = int(errors.group(1)) if errors else 0
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50_ms": pct(50), "p99_ms": pct(99), "non_2xx": bad,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--big-rows", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--port", type=int, default=18200)
    ap.add_argument("--synchronous", default="normal", choices=["normal", "full"])
    ap.add_argument("--json")
    ap.add_argument("--only", choices=["all", "auth", "metrics", "tree", "owners"], default="all",
                    help="auth: only the cost of authentication (GET by id with and without a key); "
                         "metrics: only the cost of metrics (GET by id and a list, on and off); "
                         "tree: only moves and the label filter; "
                         "owners: only writes and reads from many owners and lists (owners.py)")
    args = ap.parse_args()
    if args.only == "owners":
        here = os.path.dirname(os.path.abspath(__file__))
        sys.exit(subprocess.call([sys.executable, os.path.join(here, "owners.py"),
                                  "--bin", f"tasks-api={args.binary}", "--dur", str(args.duration)]))
    extra = ["--sqlite-synchronous", args.synchronous]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.only == "tree":
            results += move_cost(args, tmp, extra)
            results += label_cost(args, tmp, extra)
            report(args, results)
            return
        if args.only != "all":
            small = os.path.join(tmp, "small.db")
            seed(args.binary, small, args.rows, args.port)
            cost = auth_cost if args.only == "auth" else metrics_cost
            results += cost(args, small, extra)
            report(args, results)
            return
        big = os.path.join(tmp, "big.db")
        small = os.path.join(tmp, "small.db")
        log(f"seeding {args.big_rows} and {args.rows} rows")
        seed(args.binary, big, args.big_rows, args.port)
        seed(args.binary, small, args.rows, args.port)
        # The batch run writes tens of thousands of tasks: on a copy, so the
        # later scenarios on `small` count what they always counted.
        batched = os.path.join(tmp, "batched.db")
        shutil.copy(small, batched)

        # Cursor at depth, against the first page, on the big table.
        proc, ready = start(args.binary, big, args.port, extra)
        c = http.client.HTTPConnection(HOST, args.port)
        deep_page = args.big_rows // 10 - 1
        c.request("GET", f"/api/tasks?per_page=10&page={deep_page}")
        deep = json.loads(c.getresponse().read())["next_cursor"]
        c.request("GET", "/api/tasks?per_page=10")
        near = json.loads(c.getresponse().read())["next_cursor"]
        deep_feed = feed_token(1, args.big_rows - 1000)
        c.request("GET", f"/api/tasks/changes?per_page=100&since={deep_feed}")
        head = c.getresponse()
        head.read()
        assert head.status == 200, head.status
        c.request("GET", f"/api/tasks/changes?since={feed_token(1, args.big_rows)}")
        polled = c.getresponse()
        polled.read()
        poll_tag = polled.getheader("etag")
        scenarios = [
            ("first page (page=1, COUNT)", "/api/tasks?per_page=10", lua("GET")),
            ("cursor after page 1", f"/api/tasks?per_page=10&cursor={near}", lua("GET")),
            (f"cursor at depth {deep_page * 10}", f"/api/tasks?per_page=10&cursor={deep}", lua("GET")),
            ("list per_page=100, page 1", "/api/tasks?per_page=100", lua("GET")),
            ("feed per_page=100, full sync", "/api/tasks/changes?per_page=100", lua("GET")),
            (f"feed per_page=100 at change {args.big_rows - 1000}",
             f"/api/tasks/changes?per_page=100&since={deep_feed}", lua("GET")),
            ("feed poll at the head, 304",
             f"/api/tasks/changes?since={feed_token(1, args.big_rows)}",
             lua("GET", headers={"If-None-Match": poll_tag})),
        ]
        for name, path, script in scenarios:
            r = run_wrk(args.port, path, script, args.duration, args.connections)
            results.append({"table": f"{args.big_rows} rows", "scenario": name, **r})
            log(f"{name}: {r}")
        results.append({"table": f"{args.big_rows} rows", "scenario": "peak RSS KiB",
                        "value": rss_peak_kib(proc.pid)})
        proc.terminate(); proc.wait()
        # Start-up on an existing (1M-row) database, fresh process each time.
        times = []
        for _ in range(5):
            p, t = start(args.binary, big, args.port, extra)
            times.append(t * 1000)
            p.terminate(); p.wait()
        results.append({"table": f"{args.big_rows} rows", "scenario": "ready after start (ms, median of 5)",
                        "value": round(sorted(times)[2], 1)})

        results += move_cost(args, tmp, extra)
        results += label_cost(args, tmp, extra)

        proc, _ = start(args.binary, small, args.port, extra)
        scenarios = [
            ("list per_page=100", "/api/tasks?page=2&per_page=100", lua("GET")),
            ("get 404", "/api/tasks/999999999", lua("GET")),
            ("patch (toggle done)", "/api/tasks/1", lua("PATCH", body='{"done":true}', random_ids=args.rows)),
            ("post (create)", "/api/tasks", lua("POST", body='{"title":"benchmark task"}')),
        ]
        for name, path, script in scenarios:
            r = run_wrk(args.port, path, script, args.duration, args.connections)
            if name == "get 404":
                r["non_2xx"] = 0 if r["non_2xx"] else r["non_2xx"]  # 404 is the expected answer
            results.append({"table": f"{args.rows} rows", "scenario": name, **r})
            log(f"{name}: {r}")
        wal = small + "-wal"
        results.append({"table": f"{args.rows} rows", "scenario": "-wal bytes after the write runs",
                        "value": os.path.getsize(wal) if os.path.exists(wal) else 0})
        results.append({"table": f"{args.rows} rows", "scenario": "peak RSS KiB",
                        "value": rss_peak_kib(proc.pid)})
        proc.terminate(); proc.wait()
        proc, _ = start(args.binary, batched, args.port, extra)
        batch = json.dumps({"operations": [{"op": "create", "task": {"title": f"batch {i}"}}
                                           for i in range(100)]})
        r = run_wrk(args.port, "/api/tasks/batch", lua("POST", body=batch),
                    args.duration, args.connections)
        results.append({"table": f"{args.rows} rows", "scenario": "batch of 100 creates", **r})
        log(f"batch of 100 creates: {r}")
        rate = {r["scenario"]: r["rps"] for r in results if "rps" in r}
        results.append({"table": f"{args.rows} rows", "scenario": "tasks created/s: batch vs POST",
                        "value": f"{rate['batch of 100 creates'] * 100:.0f} vs {rate['post (create)']:.0f}"})
        results.append({"table": f"{args.rows} rows", "scenario": "peak RSS KiB, batch run",
                        "value": rss_peak_kib(proc.pid)})
        proc.terminate(); proc.wait()
        results += auth_cost(args, small, extra)
        results += metrics_cost(args, small, extra)
    report(args, results)


def move_cost(args, tmp, extra):
    """A move of a random task right after a random sibling, in a table of
    100,000 tasks: all of them top-level siblings, against every list
    holding 10 siblings (10 top-level tasks, 10 subtasks under each, five
    levels deep). Both touch a random row of the same table, so only the
    number of siblings differs."""
    results = []
    rows = 100_000
    for siblings in [rows, 10]:
        db = os.path.join(tmp, f"siblings-{siblings}.db")
        seed(args.binary, db, rows, args.port)
        if siblings < rows:
            # Ids in blocks of 10 under one parent: 11-20 under 1, 21-30 under 2, ...
            con = sqlite3.connect(db)
            con.execute("UPDATE tasks SET parent_id = (id - 11) / 10 + 1 WHERE id > 10")
            con.commit()
            con.close()
            anchor = ["  local base = math.floor((id - 1) / 10) * 10 + 1",
                      "  local anchor = base + ((id - base + 1) % 10)"]
        else:
            anchor = [f"  local anchor = (id % {rows}) + 1"]
        proc, _ = start(args.binary, db, args.port, extra)
        script = "\n".join([
            'wrk.method = "POST"',
            'wrk.headers["Content-Type"] = "application/json"',
            "math.randomseed(7)",
            "request = function()",
            f"  local id = math.random(1, {rows})",
            *anchor,
            '  return wrk.format(nil, "/api/tasks/" .. id .. "/move", nil, '
            "'{\"after_id\":' .. anchor .. '}')",
            "end",
        ])
        r = run_wrk(args.port, "/", script, args.duration, args.connections)
        name = f"move among {siblings} siblings"
        results.append({"table": f"{rows} rows", "scenario": name, **r})
        log(f"{name}: {r}")
        proc.terminate(); proc.wait()
    return results


def label_cost(args, tmp, extra):
    """The label filter alone on a labelled table of --big-rows tasks."""
    db = os.path.join(tmp, "labelled.db")
    seed(args.binary, db, args.big_rows, args.port, labelled=True)
    proc, _ = start(args.binary, db, args.port, extra)
    c = http.client.HTTPConnection(HOST, args.port)
    cursors = {}
    for label in ["work", "rare"]:
        c.request("GET", f"/api/tasks?per_page=10&label={label}")
        cursors[label] = json.loads(c.getresponse().read())["next_cursor"]
    results = []
    # (A table too small to have a second page of a label has no cursor.)
    for name, path in [
        ("label=work (10%), page 1, COUNT", "/api/tasks?per_page=10&label=work"),
        ("label=work (10%), cursor", f"/api/tasks?per_page=10&label=work&cursor={cursors['work']}"),
        ("label=rare (0.1%), cursor", f"/api/tasks?per_page=10&label=rare&cursor={cursors['rare']}"),
    ]:
        if path.endswith("cursor=None"):
            continue
        r = run_wrk(args.port, path, lua("GET"), args.duration, args.connections)
        results.append({"table": f"{args.big_rows} rows", "scenario": name, **r})
        log(f"{name}: {r}")
    proc.terminate(); proc.wait()
    log(f"the label filter's query plans (SQLite, {args.big_rows} tasks):")
    for line in label_plans(db):
        log(line)
    return results


def label_plans(db):
    """EXPLAIN QUERY PLAN of the statements the server runs for a label
    filter (as src/db/tasks.rs builds them: a cursor page walks the owner's
    live tasks in order and looks each up in task_labels' primary key; a
    COUNT reads the label's index entries)."""
    con = sqlite3.connect(db)
    exists = ("EXISTS (SELECT 1 FROM task_labels WHERE task_labels.task_id = tasks.id "
              "AND task_labels.label = 'work')")
    statements = {
        "cursor page": f"SELECT * FROM tasks WHERE list_id = 1 AND deleted_at IS NULL "
                       f"AND {exists} AND id > 500000 ORDER BY id LIMIT 11",
        "page-mode total": "SELECT COUNT(*) FROM tasks WHERE list_id = 1 AND deleted_at IS NULL "
                           "AND id IN (SELECT task_id FROM task_labels WHERE list_id = 1 "
                           "AND label = 'work')",
    }
    lines = []
    for name, sql in statements.items():
        lines.append(f"  {name}:")
        lines += [f"    {row[3]}" for row in con.execute("EXPLAIN QUERY PLAN " + sql)]
    con.close()
    return lines


def metrics_cost(args, db, extra):
    """GET by id and list page 2, with metrics kept (the default) and off,
    alternating so drift affects both alike."""
    results = []
    for scenario, path, script in [
        ("get by id", "/api/tasks/1", lua("GET", random_ids=args.rows)),
        ("list page 2 of 5", "/api/tasks?page=2&per_page=5", lua("GET")),
    ]:
        for setting in ["true", "false"]:
            proc, _ = start(args.binary, db, args.port, [*extra, "--metrics", setting])
            r = run_wrk(args.port, path, script, args.duration, args.connections)
            name = f"{scenario}, metrics {'on' if setting == 'true' else 'off'}"
            results.append({"table": f"{args.rows} rows", "scenario": name, **r})
            log(f"{name}: {r}")
            proc.terminate(); proc.wait()
    return results


def auth_cost(args, db, extra):
    """GET by id as the first owner: with --auth none, then with a key (rate
    limits lifted so every request is served)."""
    key = subprocess.run(
        [args.binary, "keys", "create", "--owner", "default", "--name", "bench",
         "--database-url", f"sqlite://{db}"],
        capture_output=True, text=True, check=True).stdout.strip()
    results = []
    for name, auth, script_key in [
        ("get by id, --auth none", [], None),
        ("get by id, with a key", ["--auth", "key", "--rate-limit-per-sec", "1e9",
                                   "--rate-limit-burst", "1e9"], key),
    ]:
        proc, _ = start(args.binary, db, args.port, [*extra, *auth])
        script = lua("GET", random_ids=args.rows, key=script_key)
        r = run_wrk(args.port, "/api/tasks/1", script, args.duration, args.connections)
        results.append({"table": f"{args.rows} rows", "scenario": name, **r})
        log(f"{name}: {r}")
        proc.terminate(); proc.wait()
    return results


def report(args, results):
    print(f"\ntasks-api alone (synchronous={args.synchronous}, {args.connections} connections, wrk)")
    print(f"{'table':<14} {'scenario':<34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for r in results:
        if "rps" in r:
            print(f"{r['table']:<14} {r['scenario']:<34} {r['rps']:>9.0f} {r['p50_ms']:>8.2f} "
                  f"{r['p99_ms']:>8.2f} {r['non_2xx']:>6}")
        else:
            print(f"{r['table']:<14} {r['scenario']:<34} {r['value']:>9}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"synchronous": args.synchronous, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
