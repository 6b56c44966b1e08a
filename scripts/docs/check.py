#!/usr/bin/env python3
"""Runs the walk-through examples of README.md and docs/*.md against a fresh
server and compares each response with what the page shows.

Every ```console block that runs `curl` or `tasks-api` must be preceded by a
directive comment saying where it starts from, e.g.

    <!-- check: auth; setup: for i in $(seq 12); do curl -s -X POST … ; done -->

- each block gets a server of its own on a fresh SQLite file, with the key
  it prints on first start in `$KEY`;
- `auth`: `curl` sends `Authorization: Bearer $KEY` by itself (the pages
  that say "alias curl=…");
- `setup: COMMANDS`: shell run before the block (its output is not shown);
- `localhost:8080` is the server's address; `tasks-api` is the binary on the
  block's database; a line `export KEY=…` stands for the printed key.

A command's expected output is compared by shape, not byte for byte:
- `HTTP/1.1 NNN` must be the status, and each header named must be sent;
- JSON must have the same members and types; values are compared too,
  except instants (`…_at`, RFC 3339), request ids, cursors, tokens and
  anything the page elides with `…` (then only the member names it shows
  must be present);
- other lines (the CLI's): the same number, a `tsk_` key where one is shown,
  the same column header.
Prints each example with PASS/FAIL and exits non-zero on a failure or on an
example without a directive.

    scripts/docs/check.py [--bin target/debug/tasks-api] [FILE.md …]
"""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

DIRECTIVE = re.compile(r"<!--\s*check:(.*?)-->\s*\n```console\n(.*?)```", re.S)
BLOCK = re.compile(r"```console\n(.*?)```", re.S)
VOLATILE = {"request_id", "next_cursor", "next_since", "etag", "key", "prefix"}
INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
KEY = re.compile(r"tsk_[A-Za-z0-9_-]{32}")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, tmp):
        self.db = os.path.join(tmp, "tasks.db")
        self.url = f"sqlite://{self.db}"
        self.port = free_port()
        self.log_path = os.path.join(tmp, "server.log")
        self.proc = subprocess.Popen(
            [binary, "--bind", f"127.0.0.1:{self.port}", "--database-url", self.url,
             "--log-format", "json"],
            stdout=subprocess.DEVNULL, stderr=open(self.log_path, "w"))
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise SystemExit("the server did not start: " + open(self.log_path).read())
        found = KEY.search(open(self.log_path).read())
        if not found:
            raise SystemExit("the server printed no first key")
        self.key = found.group(0)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=15)


def commands(block):
    """(command, expected output lines) for each `$ ` line of a block,
    continuation lines joined."""
    out, lines = [], block.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            i += 1
            continue
        cmd = line[2:]
        while cmd.endswith("\\") and i + 1 < len(lines):
            i += 1
            cmd = cmd[:-1] + " " + lines[i].strip()
        i += 1
        expected = []
        while i < len(lines) and not lines[i].startswith("$ "):
            expected.append(lines[i])
            i += 1
        while expected and not expected[-1].strip():
            expected.pop()
        out.append((cmd, expected))
    return out


def without_comment(line):
    return re.sub(r"\s{2,}#.*$", "", line).rstrip()


def shell(server, binary, auth, script):
    prelude = [
        f"export KEY={server.key}",
        f"export DATABASE_URL={server.url}",
        f"tasks-api() {{ {binary} \"$@\"; }}",
    ]
    if auth:
        prelude.append('curl() { command curl -H "Authorization: Bearer $KEY" "$@"; }')
    script = script.replace("localhost:8080", f"127.0.0.1:{server.port}")
    done = subprocess.run(["bash", "-c", "\n".join(prelude + [script])],
                          capture_output=True, text=True, timeout=60)
    return done.stdout


def same_shape(want, got, path="$"):
    """Differences between expected and actual JSON, as messages."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path}: an object expected, got {got!r}"]
        errors = []
        for k in sorted(set(want) | set(got)):
            if k not in got:
                errors.append(f"{path}.{k}: missing")
            elif k not in want:
                errors.append(f"{path}.{k}: not shown on the page")
            else:
                errors += same_value(k, want[k], got[k], f"{path}.{k}")
        return errors
    if isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            return [f"{path}: {want!r} expected, got {got!r}"]
        errors = []
        for i, (w, g) in enumerate(zip(want, got)):
            errors += same_shape(w, g, f"{path}[{i}]")
        return errors
    return [] if want == got else [f"{path}: {want!r} expected, got {got!r}"]


def same_value(key, want, got, path):
    if key in VOLATILE:
        return [] if type(want) is type(got) else [f"{path}: {type(want).__name__} expected"]
    if key.endswith("_at") and isinstance(want, str):
        return [] if isinstance(got, str) and INSTANT.match(got) else [f"{path}: an instant expected, got {got!r}"]
    return same_shape(want, got, path)


def compare(expected, actual):
    """Messages for each way `actual` (the command's output) differs."""
    want = [without_comment(l) for l in expected]
    got = actual.replace("\r\n", "\n").rstrip("\n").split("\n") if actual.strip() else []
    errors = []
    if want and want[0].startswith("HTTP/"):
        status = want[0].split()[1]
        if not got or not got[0].startswith("HTTP/") or got[0].split()[1] != status:
            return [f"status {status} expected, got {got[:1]}"]
        blank_w = want.index("") if "" in want else len(want)
        blank_g = got.index("") if "" in got else len(got)
        sent = {l.split(":", 1)[0].lower() for l in got[1:blank_g]}
        for header in want[1:blank_w]:
            name = header.split(":", 1)[0].lower()
            if name not in sent:
                errors.append(f"header {name} not sent")
        want, got = want[blank_w + 1:], got[blank_g + 1:]
    text_w, text_g = "\n".join(want).strip(), "\n".join(got).strip()
    if text_w.startswith(("{", "[")):
        try:
            actual_json = json.loads(text_g)
        except ValueError:
            return errors + [f"JSON expected, got {text_g[:200]!r}"]
        try:
            return errors + same_shape(json.loads(text_w), actual_json)
        except ValueError:
            # Elided with …: the members it names must be there.
            names = set(re.findall(r'"([A-Za-z_]+)":', text_w))
            present = set(re.findall(r'"([A-Za-z_]+)":', json.dumps(actual_json)))
            return errors + [f"member {n} missing" for n in sorted(names - present)]
    if len(want) != len(got):
        return errors + [f"{len(want)} lines expected, got {len(got)}: {got}"]
    for w, g in zip(want, got):
        if KEY.search(w):
            if not KEY.search(g):
                errors.append(f"a key expected, got {g!r}")
        elif w.startswith("id ") and w.split() != g.split():
            errors.append(f"header {w!r} expected, got {g!r}")
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/debug/tasks-api")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    files = args.files or ["README.md"] + sorted(glob.glob("docs/*.md"))
    failures = 0
    for path in files:
        text = open(path).read()
        checked = {m.start(2) for m in DIRECTIVE.finditer(text)}
        for block in BLOCK.finditer(text):
            runs = re.search(r"^\$ (curl|tasks-api|export)", block.group(1), re.M)
            line = text[:block.start()].count("\n") + 1
            if runs and block.start(1) not in checked:
                log(f"FAIL {path}:{line}: an example without a <!-- check: … --> directive")
                failures += 1
        for m in DIRECTIVE.finditer(text):
            head, _, setup = m.group(1).partition("setup:")
            auth = "auth" in [o.strip() for o in head.split(";")]
            line = text[:m.start(2)].count("\n")
            with tempfile.TemporaryDirectory() as tmp:
                server = Server(binary, tmp)
                try:
                    if setup.strip():
                        shell(server, binary, auth, setup)
                    for cmd, expected in commands(m.group(2)):
                        if cmd.startswith("export KEY="):
                            continue
                        actual = shell(server, binary, auth, cmd)
                        errors = compare(expected, actual)
                        where = f"{path}:{line}: $ {cmd[:70]}"
                        if errors:
                            failures += 1
                            log(f"FAIL {where}")
                            for e in errors:
                                log(f"       {e}")
                        else:
                            log(f"PASS {where}")
                finally:
                    server.stop()
    if failures:
        raise SystemExit(f"{failures} documentation example(s) differ from the server")
    log("every documentation example matches the server")


if __name__ == "__main__":
    if not shutil.which("curl"):
        raise SystemExit("needs curl")
    main()
