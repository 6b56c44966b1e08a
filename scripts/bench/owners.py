#!/usr/bin/env python3
"""Writes and reads from many owners and many lists: each request takes a
random one of K owners (its key; `--auth key`, rate limits lifted) or a
random one of one owner's K lists, wrk at 32 connections; binaries
interleaved round by round, medians of the rounds. Every owner (list)
starts with 100 tasks, made through the API.

Scenarios: creates (`POST /api/tasks`, into the owner's inbox or into a
list by `list_id`), PATCH (`done` of a random task of the owner's),
moves (a random task after another of its siblings) and GET by id; with
`--bare`, the bare stack's plain single-INSERT creates in the same run
(scripts/bench/bare: what the stack does with one autocommit INSERT per
request, no owners, no indexes). Prints each scenario beside its K = 1
figure and the issue-28 targets: creates from 100 owners >= 1.0x the bare
stack's and >= 0.6x one owner's, p99 <= 2x one owner's. Not a test:
nothing here asserts.

usage: scripts/bench/owners.py --bin now=target/release/tasks-api [--bin before=/tmp/old]
         [--bare target/bare-target/release/bare] [--owners 1,10,100,1000]
         [--lists 1,10,100] [--scen create,patch,move,get] [--rounds 3] [--dur 3]
Needs wrk."""
import argparse, atexit, json, os, re, shutil, statistics, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from ab import free_port  # noqa: E402

TASKS_EACH = 100


def scratch():
    """A directory removed when the script ends."""
    path = tempfile.mkdtemp(prefix="owners-")
    atexit.register(shutil.rmtree, path, True)
    return path


def call(port, method, path, key, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": f"Bearer {key}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def keys_for(binp, db, count):
    keys = []
    for i in range(count):
        out = subprocess.run([binp, "keys", "create", "--database-url", f"sqlite://{db}",
                              "--owner", f"owner{i}", "--name", "bench"],
                             capture_output=True, text=True, check=True).stdout
        keys.append(re.search(r"tsk_[A-Za-z0-9_-]{32}", out).group(0))
    return keys


def serve(binp, db, port, bare=False):
    args = [binp] if bare else [
        binp, "--bind", f"127.0.0.1:{port}", "--database-url", f"sqlite://{db}",
        "--sqlite-synchronous", "normal", "--rate-limit-per-sec", "1000000",
        "--rate-limit-burst", "1000000"]
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": f"sqlite://{db}?mode=rwc"}
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return p
        except urllib.error.HTTPError:
            return p  # the bare stack has no /healthz: it answers, so it is up
        except Exception:
            time.sleep(0.05)
    raise SystemExit("server did not start")


def prepare(binp, k, per_list):
    """A database with k owners (or one owner with k lists), each with
    TASKS_EACH tasks: [(key, list_id or None, [task ids])], and the
    server serving it."""
    db = f"{scratch()}/owners.db"
    serve(binp, db, free_port()).terminate()  # migrate once
    keys = keys_for(binp, db, 1 if per_list else k)
    port = free_port()
    proc = serve(binp, db, port)
    targets = []
    for i in range(k):
        key = keys[0 if per_list else i]
        list_id = call(port, "POST", "/api/lists", key, {"title": f"list {i}"})["id"] if per_list else None
        task = {"title": "seed task"} | ({"list_id": list_id} if list_id else {})
        done = call(port, "POST", "/api/tasks/batch", key,
                    {"operations": [{"op": "create", "task": task}] * TASKS_EACH})
        targets.append((key, list_id, [r["task"]["id"] for r in done["results"]]))
    return proc, port, targets


def script(scen, targets):
    """wrk's Lua: each request a random target (owner or list) of `targets`."""
    if scen == "bare":
        return ('wrk.method = "POST"\nwrk.body = \'{"title":"bench task"}\'\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
                'request = function() return wrk.format(nil, "/api/tasks") end\n')
    lua = ["math.randomseed(os.time())", "local t = {"]
    for key, list_id, ids in targets:
        lua.append(f'  {{key = "{key}", list = {list_id or "nil"}, first = {ids[0]}, '
                   f"last = {ids[-1]}}},")
    lua += ["}", "request = function()", "  local x = t[math.random(#t)]",
            '  local h = {["Authorization"] = "Bearer " .. x.key, '
            '["Content-Type"] = "application/json"}',
            "  local id = math.random(x.first, x.last)"]
    if scen == "create":
        lua.append("  local body = x.list and "
                   "('{\"title\":\"bench task\",\"list_id\":' .. x.list .. '}') "
                   "or '{\"title\":\"bench task\"}'")
        lua.append('  return wrk.format("POST", "/api/tasks", h, body)')
    elif scen == "patch":
        lua.append('  return wrk.format("PATCH", "/api/tasks/" .. id, h, '
                   "'{\"done\":' .. (math.random(2) == 1 and 'true' or 'false') .. '}')")
    elif scen == "move":
        lua.append("  local after = math.random(x.first, x.last)")
        lua.append("  if after == id then after = (id == x.last) and x.first or id + 1 end")
        lua.append('  return wrk.format("POST", "/api/tasks/" .. id .. "/move", h, '
                   "'{\"after_id\":' .. after .. '}')")
    elif scen == "get":
        lua.append('  return wrk.format("GET", "/api/tasks/" .. id, h)')
    lua.append("end")
    return "\n".join(lua) + "\n"


def wrk(port, lua_text, dur):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua_text)
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{dur}s", "--latency", "-s", f.name,
                          f"http://127.0.0.1:{port}/"], capture_output=True, text=True).stdout
    os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise SystemExit("non-2xx answers: " + out)
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
    return rps, p99


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", action="append", required=True)
    ap.add_argument("--bare")
    ap.add_argument("--owners", default="1,10,100,1000")
    ap.add_argument("--lists", default="10,100")
    ap.add_argument("--scen", default="create,patch,move,get")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dur", type=int, default=3)
    ap.add_argument("--json")
    a = ap.parse_args()
    bins = [b.split("=", 1) for b in a.bin]
    scens = a.scen.split(",")
    setups = [(f"{k} owners", k, False) for k in map(int, a.owners.split(",")) if k]
    setups += [(f"{k} lists", k, True) for k in map(int, a.lists.split(",")) if k]
    results = {}  # (binary, setup, scenario) -> [(rps, p99)]
    bare = None
    if a.bare:
        db = f"{scratch()}/bare.db"
        port = free_port()
        bare = (serve(a.bare, db, port, bare=True), port)
    for name, k, per_list in setups:
        servers = {b: prepare(binp, k, per_list) for b, binp in bins}
        for r in range(a.rounds):
            for scen in scens:
                order = bins if r % 2 == 0 else bins[::-1]
                for b, _ in order:
                    _, port, targets = servers[b]
                    results.setdefault((b, name, scen), []).append(wrk(port, script(scen, targets), a.dur))
                if bare and scen == "create":
                    results.setdefault(("bare", name, "create"), []).append(
                        wrk(bare[1], script("bare", []), a.dur))
        for proc, _, _ in servers.values():
            proc.terminate()
            proc.wait()
        for scen in scens:
            line = f"{scen:>7} from {name:<12}"
            for b in [b for b, _ in bins] + (["bare"] if bare and scen == "create" else []):
                runs = results[(b, name, scen)]
                rps, p99 = statistics.median(x[0] for x in runs), statistics.median(x[1] for x in runs)
                one = results.get((b, setups[0][0], scen))
                ratio = rps / statistics.median(x[0] for x in one) if one and b != "bare" else 1.0
                line += f" | {b}: {rps:8.0f}/s ({ratio:4.2f} of K=1) p99 {p99:6.1f} ms"
            print(line, flush=True)
    if bare:
        bare[0].terminate()
    med = lambda key, i: statistics.median(x[i] for x in results[key]) if key in results else None
    for b, _ in bins:
        many, one, plain = (med((b, "100 owners", "create"), 0), med((b, "1 owners", "create"), 0),
                            med(("bare", "100 owners", "create"), 0))
        if many and one:
            print(f"{b}: creates from 100 owners = {many / one:.2f}x one owner's (target >= 0.6); "
                  f"p99 {med((b, '100 owners', 'create'), 1) / med((b, '1 owners', 'create'), 1):.2f}x"
                  " one owner's (target <= 2)"
                  + (f"; {many / plain:.2f}x the bare stack's (target >= 1.0)" if plain else ""))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({f"{b}|{n}|{s}": v for (b, n, s), v in results.items()}, f, indent=1)


if __name__ == "__main__":
    main()
