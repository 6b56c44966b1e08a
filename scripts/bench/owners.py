#!/usr/bin/env python3
"""Creates from K owners at once: each request takes the key of a random one
of K owners (keys made with the binary, `--auth key`), wrk at 32
connections; binaries interleaved round by round, medians. What group
commit gives when the creates waiting together are not all one owner's.

usage: scripts/bench/owners.py --bin before=/tmp/old --bin after=target/release/tasks-api
         [--owners 1,10,100] [--rounds 3] [--dur 3]
Needs wrk."""
import argparse, os, re, statistics, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from ab import free_port  # noqa: E402


def keys_for(binp, db, count):
    keys = []
    for i in range(count):
        out = subprocess.run([binp, "keys", "create", "--database-url", f"sqlite://{db}",
                              "--owner", f"owner{i}", "--name", "bench"],
                             capture_output=True, text=True, check=True).stdout
        keys.append(re.search(r"tsk_[A-Za-z0-9_-]{32}", out).group(0))
    return keys


def serve(binp, db, port):
    p = subprocess.Popen([binp, "--bind", f"127.0.0.1:{port}", "--database-url", f"sqlite://{db}",
                          "--sqlite-synchronous", "normal", "--rate-limit-per-sec", "1000000",
                          "--rate-limit-burst", "1000000"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return p
        except Exception:
            time.sleep(0.05)
    raise SystemExit("server did not start")


def wrk(port, keys, dur):
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    lua.write("local keys = {" + ",".join(f'"{k}"' for k in keys) + "}\n")
    lua.write('wrk.method = "POST"\nwrk.body = \'{"title":"bench task"}\'\n')
    lua.write('wrk.headers["Content-Type"] = "application/json"\n')
    lua.write("request = function()\n  local k = keys[math.random(#keys)]\n"
              '  return wrk.format(nil, nil, {["Authorization"] = "Bearer " .. k,'
              ' ["Content-Type"] = "application/json"}, wrk.body)\nend\n')
    lua.close()
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{dur}s", "--latency", "-s", lua.name,
                          f"http://127.0.0.1:{port}/api/tasks"], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise SystemExit("non-2xx answers: " + out)
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
    return rps, p99


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", action="append", required=True)
    ap.add_argument("--owners", default="1,10,100")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dur", type=int, default=3)
    a = ap.parse_args()
    bins = [b.split("=", 1) for b in a.bin]
    for k in [int(x) for x in a.owners.split(",")]:
        servers = {}
        for name, binp in bins:
            tmp = tempfile.mkdtemp()
            db = f"{tmp}/owners.db"
            serve(binp, db, free_port()).terminate()  # migrate once
            keys = keys_for(binp, db, k)
            port = free_port()
            servers[name] = (serve(binp, db, port), port, keys)
        res = {name: [] for name, _ in bins}
        for r in range(a.rounds):
            order = bins if r % 2 == 0 else bins[::-1]
            for name, _ in order:
                _, port, keys = servers[name]
                res[name].append(wrk(port, keys, a.dur))
        base = statistics.median(x[0] for x in res[bins[0][0]])
        line = f"creates from {k:5} owners"
        for name, _ in bins:
            med = statistics.median(x[0] for x in res[name])
            p99 = statistics.median(x[1] for x in res[name])
            line += f"  {name}: {med:8.0f}/s ({med / base:4.2f}) p99 {p99:5.1f} ms"
        print(line, flush=True)
        for proc, _, _ in servers.values():
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
