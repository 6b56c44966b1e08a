#!/usr/bin/env python3
"""Writes and reads from many owners and many lists: each request takes a
random one of K owners (its key; `--auth key`, rate limits lifted) or a
random one of one owner's K lists, wrk at 32 connections; binaries
interleaved round by round (with `--in-turn` the setups too, each served
at once and measured in turn), medians of the rounds. Every owner (list)
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
         [--postgres postgres://postgres@127.0.0.1:5435 --processes 1,3] [--in-turn]

With `--postgres`, each setup is a database on that server, served by one
process or (`--processes 1,3`) by one and by three, wrk's connections split
between them: whether writes to different owners and lists go in parallel.
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


def keys_for(binp, url, count):
    keys = []
    for i in range(count):
        out = subprocess.run([binp, "keys", "create", "--database-url", url,
                              "--owner", f"owner{i}", "--name", "bench"],
                             capture_output=True, text=True, check=True).stdout
        keys.append(re.search(r"tsk_[A-Za-z0-9_-]{32}", out).group(0))
    return keys


SERVERS = []  # (process, its log): stopped when the script ends, however it ends


@atexit.register
def stop_servers():
    for proc, _ in SERVERS:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()


def serve(binp, url, port, bare=False):
    args = [binp] if bare else [
        binp, "--bind", f"127.0.0.1:{port}", "--database-url", url,
        "--rate-limit-per-sec", "1000000", "--rate-limit-burst", "1000000"]
    if url.startswith("sqlite:") and not bare:
        args += ["--sqlite-synchronous", "normal"]
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": f"{url}?mode=rwc"}
    log_path = os.path.join(scratch(), "server.log")
    with open(log_path, "w") as log:
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log, env=env)
    SERVERS.append((p, log_path))
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return p
        except urllib.error.HTTPError:
            return p  # the bare stack has no /healthz: it answers, so it is up
        except Exception:
            time.sleep(0.05)
    raise SystemExit("server did not start")


def database(postgres):
    """A fresh database: a SQLite file, or one on the PostgreSQL server
    `postgres` (dropped when the script ends)."""
    if not postgres:
        return f"sqlite://{scratch()}/owners.db"
    name = f"owners_{os.getpid()}_{len(DATABASES)}"
    DATABASES.append(name)
    subprocess.run(["psql", "-q", postgres, "-c", f"CREATE DATABASE {name}"], check=True)
    return f"{postgres.rstrip('/')}/{name}"


DATABASES = []


def drop_databases(postgres):
    for name in DATABASES:
        subprocess.run(["psql", "-q", postgres, "-c", f"DROP DATABASE IF EXISTS {name}"],
                       capture_output=True)


def prepare(binp, k, per_list, postgres=None, processes=1):
    """A database with k owners (or one owner with k lists), each with
    TASKS_EACH tasks: [(key, list_id or None, [task ids])], and
    `processes` servers serving it."""
    url = database(postgres)
    serve(binp, url, free_port()).terminate()  # migrate once
    keys = keys_for(binp, url, 1 if per_list else k)
    ports = [free_port() for _ in range(processes)]
    procs = [serve(binp, url, port) for port in ports]
    port = ports[0]
    targets = []
    for i in range(k):
        key = keys[0 if per_list else i]
        list_id = call(port, "POST", "/api/lists", key, {"title": f"list {i}"})["id"] if per_list else None
        task = {"title": "seed task"} | ({"list_id": list_id} if list_id else {})
        done = call(port, "POST", "/api/tasks/batch", key,
                    {"operations": [{"op": "create", "task": task}] * TASKS_EACH})
        targets.append((key, list_id, [r["task"]["id"] for r in done["results"]]))
    return procs, ports, targets


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


def wrk(ports, lua_text, dur):
    """32 connections spread over `ports` (one wrk each, at once): the
    requests/s of all, the worst p99."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua_text)
    # Whatever the runs before this one left for the kernel to write is
    # written now, so no run's writeback falls on the next.
    os.sync()
    threads = 2 if len(ports) == 1 else 1
    runs = [subprocess.Popen(["wrk", f"-t{threads}", f"-c{32 // len(ports)}", f"-d{dur}s",
                              "--latency", "-s", f.name, f"http://127.0.0.1:{port}/"],
                             stdout=subprocess.PIPE, text=True) for port in ports]
    outs = [run.communicate()[0] for run in runs]
    os.unlink(f.name)
    rps, p99 = 0.0, 0.0
    for out in outs:
        rps += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
            raise SystemExit("non-2xx answers: " + out + "\nthe servers' last warnings:\n"
                             + "\n".join(warnings()))
        m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
        if m:
            p99 = max(p99, float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)])
    return rps, p99


def warnings():
    """The last few warnings and errors each server logged."""
    lines = []
    for _, path in SERVERS:
        with open(path, errors="replace") as f:
            lines += [line.rstrip() for line in f if "WARN" in line or "ERROR" in line][-5:]
    return lines


def report(name, scens, bins, bare, results, setups):
    """One line per scenario of setup `name`: each binary's medians."""
    for scen in scens:
        line = f"{scen:>7} from {name:<12}"
        for b in [b for b, _, _ in bins] + (["bare"] if bare and scen == "create" else []):
            runs = results[(b, name, scen)]
            rps, p99 = statistics.median(x[0] for x in runs), statistics.median(x[1] for x in runs)
            one = results.get((b, setups[0][0], scen))
            ratio = rps / statistics.median(x[0] for x in one) if one and b != "bare" else 1.0
            line += f" | {b}: {rps:8.0f}/s ({ratio:4.2f} of K=1) p99 {p99:6.1f} ms"
        print(line, flush=True)


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
    ap.add_argument("--in-turn", action="store_true",
                    help="serve every setup at once and measure them in turn, round by round")
    ap.add_argument("--postgres", help="a PostgreSQL server's URL: a database there per setup")
    ap.add_argument("--processes", default="1",
                    help="servers on one database, each taking a share of the connections: "
                         "1,3 measures each binary with one and with three")
    a = ap.parse_args()
    counts = [int(n) for n in a.processes.split(",")]
    bins = [(b if len(counts) == 1 else f"{b}/{n}p", path, n)
            for b, path in (x.split("=", 1) for x in a.bin) for n in counts]
    scens = a.scen.split(",")
    setups = [(f"{k} owners", k, False) for k in map(int, a.owners.split(",")) if k]
    setups += [(f"{k} lists", k, True) for k in map(int, a.lists.split(",")) if k]
    results = {}  # (binary, setup, scenario) -> [(rps, p99)]
    bare = None
    if a.bare:
        port = free_port()
        bare = (serve(a.bare, f"sqlite://{scratch()}/bare.db", port, bare=True), port)
    # One setup after another; with `--in-turn` every setup served at once
    # and measured in turn, round by round, so a slow spell of the machine
    # falls on each alike.
    groups = [setups] if a.in_turn else [[setup] for setup in setups]
    for group in groups:
        servers = {(b, name): prepare(binp, k, per_list, a.postgres, n)
                   for name, k, per_list in group for b, binp, n in bins}
        for r in range(a.rounds):
            for name, _, _ in group:
                for scen in scens:
                    order = bins if r % 2 == 0 else bins[::-1]
                    for b, _, _ in order:
                        _, ports, targets = servers[(b, name)]
                        results.setdefault((b, name, scen), []).append(
                            wrk(ports, script(scen, targets), a.dur))
                    if bare and scen == "create":
                        results.setdefault(("bare", name, "create"), []).append(
                            wrk([bare[1]], script("bare", []), a.dur))
        # How big the lists grew: past db::sorted's 1,000 tasks a list is
        # sorted and its creates write the sort indexes too (a different,
        # dearer regime: keep `--rounds` x `--dur` short enough to stay under).
        sizes = {}
        for (b, name), (_, ports, targets) in servers.items():
            key, list_id, _ = targets[0]
            path = "/api/tasks?per_page=1" + (f"&list_id={list_id}" if list_id else "")
            sizes.setdefault(name, []).append(f"{b} {call(ports[0], 'GET', path, key)['total']}")
        for procs, _, _ in servers.values():
            for proc in procs:
                proc.terminate()
                proc.wait()
        for name, _, _ in group:
            report(name, scens, bins, bare, results, setups)
            print(f"{'':>7}  {name}: tasks in the first owner's (list's) list at the end: "
                  + ", ".join(sizes[name]), flush=True)
    if bare:
        bare[0].terminate()
    if a.postgres:
        drop_databases(a.postgres)
    med = lambda key, i: statistics.median(x[i] for x in results[key]) if key in results else None
    for b, _, _ in bins:
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
