#!/usr/bin/env python3
"""What trashing, undeleting and purging one task costs as the database grows.

For each database size (default 10,000 and 1,000,000 tasks) two shapes:
"many owners" (owners of 100 tasks each; the first owner's tasks are the
ones written) and "one owner" (the first owner holds every task). One
request at a time against the release binary on SQLite, as a client would
send them: DELETE of each of 100 of the first owner's top-level tasks (each
with one subtask), then POST .../undelete of each, then DELETE ?purge=true
of each. Prints the median and the slowest of each, in ms (the unit test
`db::subtree::tests::the_subtree_statement_reads_only_the_subtree` holds the
plan SQLite makes of the subtree statement these writes run). A write that
costs what the task's own subtree costs stays level from left to right.
Not a test: nothing here asserts a timing.

    scripts/bench/trash.py target/release/tasks-api [--sizes 10000,1000000]
"""
import argparse
import http.client
import os
import sqlite3
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from own import HOST, log, seed, start  # noqa: E402

TASKS_PER_OWNER = 100
WRITTEN = 100


def shape(db, total, owners):
    """Spreads `total` seeded tasks over `owners` owners (ids 1…owners) and
    makes every second task of the first owner a subtask of the one before,
    so each written task carries a subtree of one."""
    con = sqlite3.connect(db)
    con.executemany(
        "INSERT INTO owners (id, name, created_at) VALUES (?, ?, 0)",
        [(i, f"owner-{i}") for i in range(2, owners + 1)])
    # Task k (from 1) goes to owner 1 + (k - 1) % owners as its number
    # (k - 1) / owners + 1: positions (OrderKey::of_number) and change
    # numbers stay unique per owner.
    n = f"((id - 1) / {owners} + 1)"
    con.execute(f"""UPDATE tasks SET owner_id = 1 + (id - 1) % {owners},
                    change_seq = {n}, position = char(96 + length({n})) || {n}""")
    con.execute("""UPDATE owners SET
                     change_seq = (SELECT COALESCE(MAX(change_seq), 0) FROM tasks WHERE owner_id = owners.id),
                     live_tasks = (SELECT COUNT(*) FROM tasks WHERE owner_id = owners.id),
                     live_done = (SELECT COUNT(*) FROM tasks WHERE owner_id = owners.id AND done)""")
    # The first owner's first 2 × WRITTEN tasks in pairs: a task and its subtask.
    first = [r[0] for r in con.execute(
        "SELECT id FROM tasks WHERE owner_id = 1 ORDER BY id LIMIT ?", (2 * WRITTEN,))]
    pairs = list(zip(first[0::2], first[1::2]))
    con.executemany("UPDATE tasks SET parent_id = ? WHERE id = ?", pairs)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return [parent for parent, _ in pairs]


def timed(port, method, paths):
    c = http.client.HTTPConnection(HOST, port)
    took = []
    for path in paths:
        start_at = time.perf_counter()
        c.request(method, path, body=b"" if method == "POST" else None)
        resp = c.getresponse()
        resp.read()
        took.append((time.perf_counter() - start_at) * 1000)
        if resp.status >= 300:
            raise SystemExit(f"{method} {path}: {resp.status}")
    return statistics.median(took), max(took)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--sizes", default="10000,1000000")
    ap.add_argument("--port", type=int, default=18300)
    ap.add_argument("--synchronous", default="normal", choices=["normal", "full"])
    args = ap.parse_args()
    extra = ["--sqlite-synchronous", args.synchronous]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in [int(s) for s in args.sizes.split(",")]:
            for name, owners in [("many owners", max(1, size // TASKS_PER_OWNER)),
                                 ("one owner", 1)]:
                db = os.path.join(tmp, f"{size}-{owners}.db")
                log(f"seeding {size} tasks for {owners} owner(s)")
                seed(args.binary, db, size, args.port)
                ids = shape(db, size, owners)
                proc, _ = start(args.binary, db, args.port, extra)
                try:
                    trash = timed(args.port, "DELETE", [f"/api/tasks/{i}" for i in ids])
                    undelete = timed(args.port, "POST",
                                     [f"/api/tasks/{i}/undelete" for i in ids])
                    purge = timed(args.port, "DELETE",
                                  [f"/api/tasks/{i}?purge=true" for i in ids])
                finally:
                    proc.terminate()
                    proc.wait()
                rows.append((size, name, trash, undelete, purge))
                log(f"{size} tasks, {name}: trash {trash}, undelete {undelete}, purge {purge}")
    print(f"{'tasks':>9}  {'shape':<12} {'trash ms':>15} {'undelete ms':>15} {'purge ms':>15}")
    print(f"{'':>9}  {'':<12} {'median / max':>15} {'median / max':>15} {'median / max':>15}")
    for size, name, *ops in rows:
        cells = "".join(f"{f'{m:.2f} / {x:.2f}':>16}" for m, x in ops)
        print(f"{size:>9}  {name:<12}{cells}")


if __name__ == "__main__":
    main()
