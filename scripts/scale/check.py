#!/usr/bin/env python3
"""Scale-out checks: several tasks-api processes on one PostgreSQL behind
nginx. Usage: check.py LB_URL BACKEND_URL... (env API_KEY: the key requests
carry; OTHER_KEY: another owner's key; REVOKE_KEY / REVOKE_CMD: a key of the
first owner and the command that revokes it; KEY_CACHE_SECS: the bound on
revocation; KILL_PID: the pid of the process to SIGKILL mid-load; PG_PAUSE /
PG_RESUME: commands for the outage).
Prints what it measured; exits non-zero on the first broken promise."""
import concurrent.futures as cf
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request


def call(method, url, body=None, headers=None, timeout=15, key=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = dict(headers or {})
    headers["Authorization"] = f"Bearer {key or os.environ['API_KEY']}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, dict(resp.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        raw = err.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return err.code, dict(err.headers), parsed
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as err:
        return 0, {}, str(err)


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def owners_and_revocation(lb, backends):
    """Owners and keys live in the database: every process knows them, and a
    key revoked there is refused by every process within the key cache."""
    other = os.environ["OTHER_KEY"]
    status, _, task = call("POST", f"{backends[0]}/api/tasks", {"title": "owner one's"})
    check(status == 201, "a task created through process 1")
    theirs = [call("GET", f"{b}/api/tasks/{task['id']}", key=other)[0] for b in backends]
    mine = [call("GET", f"{b}/api/tasks/{task['id']}")[0] for b in backends]
    check(mine == [200] * len(backends) and theirs == [404] * len(backends),
          f"its owner reads it through every process {mine}, another owner gets 404 {theirs}")

    revoked = os.environ["REVOKE_KEY"]
    before = [call("GET", f"{b}/api/tasks", key=revoked)[0] for b in backends]
    check(before == [200] * len(backends), f"a second key works on every process {before}")
    subprocess.run(os.environ["REVOKE_CMD"], shell=True, check=True)
    start = time.monotonic()
    bound = float(os.environ["KEY_CACHE_SECS"])
    while True:
        now = [call("GET", f"{b}/api/tasks", key=revoked)[0] for b in backends]
        took = time.monotonic() - start
        if now == [401] * len(backends) or took > bound + 3:
            break
        time.sleep(0.1)
    check(now == [401] * len(backends) and took <= bound + 1,
          f"revoked with the CLI: refused by every process after {took:.1f} s "
          f"(bound: --key-cache-secs {bound:g})")


def main():
    lb, backends = sys.argv[1], sys.argv[2:]

    # 0. Owners and keys are shared through the database.
    owners_and_revocation(lb, backends)

    # 1. An Idempotency-Key retried at the same moment through every process.
    key = f"scale-{time.time_ns()}"
    with cf.ThreadPoolExecutor(12) as pool:
        results = list(pool.map(
            lambda i: call("POST", f"{backends[i % len(backends)]}/api/tasks",
                           {"title": "exactly once"}, {"Idempotency-Key": key}),
            range(12)))
    bodies = {json.dumps(r[2], sort_keys=True) for r in results}
    check(all(r[0] == 201 for r in results) and len(bodies) == 1,
          f"12 concurrent retries of one Idempotency-Key across {len(backends)} processes: one task, one response")

    # 2. If-Match races across processes: exactly one writer wins.
    status, headers, task = call("POST", f"{lb}/api/tasks", {"title": "contended"})
    etag = headers.get("ETag") or headers.get("etag")
    with cf.ThreadPoolExecutor(9) as pool:
        statuses = sorted(pool.map(
            lambda i: call("PATCH", f"{backends[i % len(backends)]}/api/tasks/{task['id']}",
                           {"title": f"writer {i}"}, {"If-Match": etag})[0],
            range(9)))
    check(statuses == [200] + [412] * 8, f"9 If-Match writers across processes: {statuses}")

    # 3. Cursor paging through the balancer while writes land elsewhere.
    for i in range(60):
        call("POST", f"{lb}/api/tasks", {"title": f"page me {i:03}"})
    status, _, first = call("GET", f"{lb}/api/tasks?q=page%20me&per_page=7&sort=title")
    existing = set()
    _, _, all_now = call("GET", f"{lb}/api/tasks?q=page%20me&per_page=100&sort=title")
    existing = {t["id"] for t in all_now["items"]}
    seen, page, deleted, n = [], first, set(), 0
    while True:
        seen += [t["id"] for t in page["items"]]
        n += 1
        call("POST", f"{backends[n % len(backends)]}/api/tasks", {"title": f"page me late {n}"})
        victim = max(existing - set(seen) - deleted, default=None)
        if victim is not None and n % 2 == 0:
            call("DELETE", f"{backends[(n + 1) % len(backends)]}/api/tasks/{victim}")
            deleted.add(victim)
        if not page["next_cursor"]:
            break
        _, _, page = call("GET", f"{lb}/api/tasks?q=page%20me&per_page=7&sort=title&cursor={page['next_cursor']}")
    check(len(seen) == len(set(seen)), f"cursor paging across processes: {len(seen)} tasks, none twice")
    missed = existing - deleted - set(seen)
    check(not missed, f"cursor paging across processes: none skipped ({len(deleted)} deleted meanwhile)")

    # 4. Mixed load through nginx while one process is SIGKILLed.
    # acked: the last acknowledged state of each task; uncertain: tasks with a
    # PATCH that got no answer (caught in the kill: it may or may not have
    # committed, so only the create is checked for those).
    acked, uncertain, lock, stop = {}, set(), threading.Lock(), threading.Event()
    counts = {"5xx": 0, "502": 0, "total": 0}

    def writer(w):
        i = 0
        while not stop.is_set():
            i += 1
            status, _, body = call("POST", f"{lb}/api/tasks", {"title": f"load {w}-{i}"})
            with lock:
                counts["total"] += 1
                if status == 201:
                    acked[body["id"]] = body
                elif status == 502:
                    counts["502"] += 1
                elif status >= 500 or status == 0:
                    counts["5xx"] += 1
            if status == 201 and i % 3 == 0:
                pstatus, _, pbody = call("PATCH", f"{lb}/api/tasks/{body['id']}", {"done": True})
                with lock:
                    if pstatus == 200:
                        acked[body["id"]] = pbody
                    else:
                        uncertain.add(body["id"])

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    time.sleep(2)
    kill_pid = int(os.environ["KILL_PID"])
    os.kill(kill_pid, signal.SIGKILL)
    print(f"SIGKILLed process {kill_pid} mid-load")
    time.sleep(3)
    stop.set()
    for t in threads:
        t.join()
    def intact(task_id, body):
        status, _, found = call("GET", f"{lb}/api/tasks/{task_id}")
        if status != 200:
            return False
        if task_id in uncertain:
            return found["title"] == body["title"] and found["created_at"] == body["created_at"]
        return found == body

    lost = [(i, body) for i, body in acked.items() if not intact(i, body)]
    if lost:
        print(f"first lost write: {lost[0]}; found {call('GET', f'{lb}/api/tasks/{lost[0][0]}')}")
    print(f"load: {counts['total']} writes, {len(acked)} tasks acknowledged "
          f"({len(uncertain)} with a PATCH caught in the kill), "
          f"{counts['502']} answered 502 by nginx while the process died, {counts['5xx']} other 5xx")
    check(not lost, f"every acknowledged write is intact after the kill ({len(acked)} checked)")
    check(counts["5xx"] == 0, "no 5xx other than nginx's 502 for requests caught in the kill")
    after = [call("GET", f"{lb}/healthz")[0] for _ in range(10)]
    check(all(s == 200 for s in after), "nginx routes around the dead process")

    # 5. PostgreSQL outage: 503 with Retry-After, no hang; recovery without restarts.
    alive = [b for b in backends if call("GET", f"{b}/healthz")[0] == 200]
    subprocess.run(os.environ["PG_PAUSE"], shell=True, check=True)
    started = time.monotonic()
    outage = [call("POST", f"{b}/api/tasks", {"title": "during outage"}) for b in alive]
    ready = [call("GET", f"{b}/readyz") for b in alive]
    took = time.monotonic() - started
    check(all(s == 503 and ("Retry-After" in h or "retry-after" in h) for s, h, _ in outage),
          f"writes during the outage: {[s for s, _, _ in outage]} with Retry-After")
    check(all(s == 503 for s, _, _ in ready), f"/readyz during the outage: {[s for s, _, _ in ready]}")
    check(took < 30, f"outage answers came in {took:.1f} s (no hung requests)")
    subprocess.run(os.environ["PG_RESUME"], shell=True, check=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if all(call("GET", f"{b}/readyz")[0] == 200 for b in alive):
            break
        time.sleep(0.5)
    recovered = [call("POST", f"{b}/api/tasks", {"title": "after outage"})[0] for b in alive]
    check(recovered == [201] * len(alive),
          f"every process recovered by itself after the outage ({time.monotonic() - deadline + 30:.1f} s)")


if __name__ == "__main__":
    main()
