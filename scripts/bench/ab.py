#!/usr/bin/env python3
"""Interleaved A/B of tasks-api binaries: each on its own copy of one
SQLite database seeded through the API (10,000 tasks), wrk runs of a few
seconds alternating between them (the order flips each round), medians.
This machine's throughput jumps between speed modes from run to run, so
only runs interleaved like this compare two builds.

usage: scripts/bench/ab.py --bin old=/tmp/tasks-api-old --bin new=target/release/tasks-api
         [--rounds 4] [--dur 3] [--scen get,list2,list1000,cursor,feed,post,bad,patch,404,batch]
         [--sync normal] [--extra "--read-connections 2"]
AB_LOG=1 keeps each server's log in /tmp/ab/PORT.log. Needs wrk."""
import argparse, json, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request

SCEN = {
  "get": ("GET", "/api/tasks/5000", None),
  "list2": ("GET", "/api/tasks?page=2&per_page=5", None),
  "list1000": ("GET", "/api/tasks?page=1000&per_page=10", None),
  "list100": ("GET", "/api/tasks?page=50&per_page=100", None),
  "cursor": ("GET", None, None),
  "feed": ("GET", "/api/tasks/changes?per_page=100", None),
  "post": ("POST", "/api/tasks", '{"title":"bench task","description":"x"}'),
  "bad": ("POST", "/api/tasks", '{"title":""}'),
  "patch": ("PATCH", "/api/tasks/4000", '{"done":true}'),
  "404": ("GET", "/api/tasks/999999", None),
  "batch": ("POST", "/api/tasks/batch", '{"operations":[' + ",".join(['{"op":"create","task":{"title":"bench task"}}'] * 100) + "]}"),
}

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def start(binp, db, port, sync, extra):
    cmd = [binp, "--bind", f"127.0.0.1:{port}", "--database-url", f"sqlite://{db}", "--auth", "none", "--sqlite-synchronous", sync] + extra
    logf = open(f"/tmp/ab/{port}.log", "w") if os.environ.get("AB_LOG") and os.makedirs("/tmp/ab", exist_ok=True) is None else subprocess.DEVNULL
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=logf, env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "info")})
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1); return p
        except Exception: time.sleep(0.05)
    raise SystemExit("server did not start")

def req(port, method, path, body=None):
    r = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=body.encode() if body else None, headers={"content-type": "application/json"})
    with urllib.request.urlopen(r) as resp: return json.loads(resp.read() or b"null")

def wrk(port, scen, dur, cursor):
    method, path, body = SCEN[scen]
    if scen == "cursor": path = "/api/tasks?per_page=10&cursor=" + cursor
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    lua.write(f'wrk.method = "{method}"\nwrk.headers["Content-Type"] = "application/json"\n')
    if body: lua.write(f"wrk.body = '{body}'\n")
    lua.close()
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{dur}s", "--latency", "-s", lua.name, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
    non2 = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99, int(non2.group(1)) if non2 else 0

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", action="append", required=True)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--dur", type=int, default=3)
    ap.add_argument("--scen", default="get,list2,list1000,post,bad")
    ap.add_argument("--sync", default="normal")
    ap.add_argument("--extra", default="")
    a = ap.parse_args()
    bins = [b.split("=", 1) for b in a.bin]
    tmp = tempfile.mkdtemp(prefix="ab-")
    seed = os.path.join(tmp, "seed.db")
    port = free_port()
    p = start(bins[0][1], seed, port, a.sync, [])
    for i in range(100):
        ops = [{"op": "create", "task": {"title": f"Task {i*100+j+1}", "description": "seeded"}} for j in range(100)]
        req(port, "POST", "/api/tasks/batch", json.dumps({"operations": ops}))
    page = req(port, "GET", "/api/tasks?per_page=10&page=1")
    p.send_signal(signal.SIGTERM); p.wait()
    from urllib.parse import quote
    cursor = quote(page["next_cursor"], safe="")
    servers = []
    for name, path in bins:
        db = os.path.join(tmp, f"{name}.db")
        shutil.copy(seed, db)
        port = free_port()
        servers.append((name, port, start(path, db, port, a.sync, a.extra.split() if a.extra else [])))
    res = {}
    try:
        for scen in a.scen.split(","):
            for r in range(a.rounds):
                order = servers if r % 2 == 0 else servers[::-1]
                for name, port, _ in order:
                    res.setdefault((scen, name), []).append(wrk(port, scen, a.dur, cursor))
            line = f"{scen:10}"
            base = None
            for name, _, _ in servers:
                rs = [x[0] for x in res[(scen, name)]]
                med = statistics.median(rs)
                base = base or med
                errs = sum(x[2] for x in res[(scen, name)])
                p99 = statistics.median([x[1] for x in res[(scen, name)]])
                line += f"  {name}: {med:9.0f}/s ({med/base:5.2f}) p99 {p99:5.2f}ms [{' '.join(f'{x:.0f}' for x in rs)}]" + (f" non2xx={errs}" if errs and scen != 'bad' and scen != '404' else "")
            print(line, flush=True)
    finally:
        for _, _, p in servers:
            p.send_signal(signal.SIGTERM); p.wait()
        shutil.rmtree(tmp)

if __name__ == "__main__":
    main()
