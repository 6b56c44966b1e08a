#!/usr/bin/env python3
"""What authentication costs a request: GET /api/tasks/{id} with wrk, the
binaries and credentials interleaved round by round (medians), as ab.py
does for features:

  none   --auth none (no credential at all: the floor)
  key    an API key (cached verification, then the scope check)
  jwt    an RS256 token of a local OpenID Connect issuer (signature
         verified on every request), where the binary has --oidc-issuer

usage: scripts/bench/auth.py --bin new=target/release/tasks-api [--bin old=/tmp/old]
         [--rounds 5] [--dur 3] [--modes none,key,jwt]
The issuer is this script (discovery + JWKS on loopback), signing with
tests/api/oidc/rsa1.pem through the `cryptography` package. Needs wrk."""
import argparse, base64, http.server, json, os, re, socket, statistics, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEYS = os.path.join(ROOT, "tests", "api", "oidc")


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def issuer():
    """Serves discovery and the JWKS; returns (url, sign(claims) -> token)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    jwks = {"keys": [json.load(open(os.path.join(KEYS, "jwks.json")))["rsa1"]]}
    key = serialization.load_pem_private_key(open(os.path.join(KEYS, "rsa1.pem"), "rb").read(), None)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            doc = {"issuer": url, "jwks_uri": url + "/jwks"} if "openid" in self.path else jwks
            body = json.dumps(doc).encode()
            self.send_response(200); self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def sign(claims):
        head = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "rsa1"}).encode())
        body = b64(json.dumps(claims).encode())
        sig = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{head}.{body}.{b64(sig)}"
    return url, sign


def has_oidc(binp):
    return "--oidc-issuer" in subprocess.run([binp, "--help"], capture_output=True, text=True).stdout


def start(binp, mode, issuer_url):
    tmp = tempfile.mkdtemp(prefix="bench-auth-")
    db = f"sqlite://{tmp}/tasks.db"
    port = free_port()
    args = [binp, "--bind", f"127.0.0.1:{port}", "--database-url", db,
            "--rate-limit-per-sec", "1000000000", "--rate-limit-burst", "1000000000"]
    key = None
    if mode == "none":
        args += ["--auth", "none"]
    else:
        scope = ["--scope", "tasks:read,tasks:write"] if has_oidc(binp) else []
        key = subprocess.run([binp, "keys", "create", "--owner", "bench", *scope, "--database-url", db],
                             capture_output=True, text=True).stdout.strip()
        if mode == "jwt":
            args += ["--oidc-issuer", issuer_url, "--oidc-audience", "tasks-api"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1); break
        except Exception:
            time.sleep(0.05)
    return proc, port, key


def wrk(port, token, dur):
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    if token:
        lua.write(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    lua.close()
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{dur}s", "--latency", "-s", lua.name,
                          f"http://127.0.0.1:{port}/api/tasks/1"], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2 = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, int(non2.group(1)) if non2 else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", action="append", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dur", type=int, default=3)
    ap.add_argument("--modes", default="none,key,jwt")
    a = ap.parse_args()
    issuer_url, sign = issuer()
    token = sign({"iss": issuer_url, "aud": "tasks-api", "sub": "bench", "scope": "tasks:read tasks:write",
                  "exp": int(time.time()) + 3600})
    runs = []
    for spec in a.bin:
        name, binp = spec.split("=", 1)
        for mode in a.modes.split(","):
            if mode == "jwt" and not has_oidc(binp):
                continue
            proc, port, key = start(binp, mode, issuer_url)
            credential = {"none": None, "key": key, "jwt": token}[mode]
            req = urllib.request.Request(f"http://127.0.0.1:{port}/api/tasks", method="POST",
                                         data=b'{"title":"bench"}', headers={"content-type": "application/json"})
            if credential:
                req.add_header("Authorization", f"Bearer {credential}")
            urllib.request.urlopen(req).read()
            runs.append((f"{name}/{mode}", proc, port, credential))
    results = {label: [] for label, *_ in runs}
    try:
        for r in range(a.rounds):
            order = runs if r % 2 == 0 else list(reversed(runs))
            for label, _, port, credential in order:
                rps, bad = wrk(port, credential, a.dur)
                if bad:
                    sys.exit(f"{label}: {bad} non-2xx responses")
                results[label].append(rps)
    finally:
        for _, proc, *_ in runs:
            proc.terminate()
    base = statistics.median(results[runs[0][0]])
    for label, values in results.items():
        med = statistics.median(values)
        print(f"{label:12} {med:9.0f}/s ({med / base:4.2f})  {[round(v) for v in values]}")


if __name__ == "__main__":
    main()
