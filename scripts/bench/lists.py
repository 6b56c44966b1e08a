#!/usr/bin/env python3
"""What lists cost where they are new: a feed page spanning 50 lists against
a page of one list (the same 100 changes), and moves of a 100-task subtree
between two lists. One binary on its own SQLite file (--auth none, the
first owner's lists), wrk for the pages (median of interleaved rounds),
sequential requests for the moves (median and p90 of their latency).

usage: scripts/bench/lists.py --bin target/release/tasks-api [--rounds 5] [--dur 3] [--moves 40]
Needs wrk."""
import argparse, json, re, statistics, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, __import__("os").path.dirname(__file__))
from ab import free_port, start  # noqa: E402


def req(port, method, path, body=None):
    r = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                               data=json.dumps(body).encode() if body is not None else None,
                               headers={"content-type": "application/json"})
    with urllib.request.urlopen(r) as resp:
        return json.loads(resp.read() or b"null")


def wrk(port, path, dur):
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{dur}s", f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dur", type=int, default=3)
    ap.add_argument("--moves", type=int, default=40)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    port = free_port()
    server = start(a.bin, f"{tmp}/lists.db", port, "normal", [])
    try:
        # 50 lists of 2 tasks: a full sync's first page of 100 spans them all.
        for i in range(50):
            lid = req(port, "POST", "/api/lists", {"title": f"list {i}"})["id"]
            ops = [{"op": "create", "task": {"title": f"t{i}.{j}", "list_id": lid}} for j in range(2)]
            req(port, "POST", "/api/tasks/batch", {"operations": ops})
        one = req(port, "POST", "/api/lists", {"title": "one list"})["id"]
        ops = [{"op": "create", "task": {"title": f"u{j}", "list_id": one}} for j in range(100)]
        req(port, "POST", "/api/tasks/batch", {"operations": ops})
        spanning = f"/api/tasks/changes?per_page=100"
        first = req(port, "GET", spanning)
        lists_in_page = len({c["task"]["list_id"] for c in first["changes"]})
        single = f"/api/lists/{one}/changes?per_page=100"
        assert len(req(port, "GET", single)["changes"]) == 100
        res = {"spanning": [], "single": []}
        for r in range(a.rounds):
            order = ["spanning", "single"] if r % 2 == 0 else ["single", "spanning"]
            for name in order:
                res[name].append(wrk(port, spanning if name == "spanning" else single, a.dur))
        s, o = statistics.median(res["spanning"]), statistics.median(res["single"])
        print(f"feed page of 100 changes over {lists_in_page} lists: {s:8.0f}/s  "
              f"[{' '.join(f'{x:.0f}' for x in res['spanning'])}]")
        print(f"feed page of 100 changes of one list:     {o:8.0f}/s  "
              f"[{' '.join(f'{x:.0f}' for x in res['single'])}]")
        print(f"one list / 50 lists: {o / s:.2f}x (the budget: within 2x)")

        # A 100-task subtree: a root, 9 children, 90 grandchildren.
        a_list = req(port, "POST", "/api/lists", {"title": "from"})["id"]
        b_list = req(port, "POST", "/api/lists", {"title": "to"})["id"]
        root = req(port, "POST", "/api/tasks", {"title": "root", "list_id": a_list})["id"]
        for c in range(9):
            child = req(port, "POST", "/api/tasks", {"title": f"c{c}", "parent_id": root})["id"]
            ops = [{"op": "create", "task": {"title": f"g{c}.{g}", "parent_id": child}} for g in range(10)]
            req(port, "POST", "/api/tasks/batch", {"operations": ops})
        times = []
        for m in range(a.moves):
            target = b_list if m % 2 == 0 else a_list
            t0 = time.perf_counter()
            moved = req(port, "POST", f"/api/tasks/{root}/move", {"list_id": target})
            times.append((time.perf_counter() - t0) * 1000)
            assert moved["list_id"] == target
        in_target = req(port, "GET", f"/api/tasks?list_id={a_list if a.moves % 2 == 0 else b_list}&per_page=1")["total"]
        times.sort()
        print(f"move of a 100-task subtree between lists ({a.moves} moves, {in_target} tasks at the end): "
              f"median {statistics.median(times):.1f} ms, p90 {times[int(len(times) * 0.9)]:.1f} ms")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
