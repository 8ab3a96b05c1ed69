"""Sign-ins per second with one and with two Keycloak nodes behind nginx (issue 15, docs/operations.md).

Starts the cluster of `make cluster` on the bench's own ports (devstack/cluster.py: PostgreSQL, two Keycloak
nodes in production mode clustered by Keycloak's own cache stack, nginx with the shipped configuration in
front), then measures in interleaved rounds:

* "2 nodes": nginx sends sign-ins to both nodes (round robin);
* "1 node": node-2 is stopped (SIGKILL; nginx takes it out after its first failed connection), so every
  sign-in goes to node-1; node-2 is started again afterwards and waited for until it is back in the
  cluster view and nginx sends it requests.

A sign-in is what a browser does: GET the authorization URL of the portal client (PKCE), POST the demo
partner's e-mail and password to the form's action, receive the redirect with a code (not exchanged).
C clients sign in back to back for D seconds; each sign-in comes from its own loopback source address
(127.0.5.x) so that nginx's per-address limit on form posts (30 per minute) is not what is measured.

    .venv/bin/python -m bench.sign_in_nodes                      # 2 rounds, 6 clients, 30 s each
    .venv/bin/python -m bench.sign_in_nodes --rounds 3 --clients 8 --seconds 40

Prints a Markdown table; raw numbers go to .devstack/bench/results/sign_in_nodes.json.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import itertools
import json
import re
import secrets
import statistics
import threading
import time
from urllib.parse import urlencode

from devstack.cluster import DEV_CLUSTER_PORTS, Cluster
from devstack.seed import PARTNER
from devstack.settings import REPO_ROOT
from tests.support.loopback import client

STATE_DIR = REPO_ROOT / ".devstack" / "bench" / "sign-in-cluster"
RESULTS = REPO_ROOT / ".devstack" / "bench" / "results" / "sign_in_nodes.json"
PORTS = DEV_CLUSTER_PORTS.shifted(21000, 40)  # beside `make cluster` and the tests' clusters
FORM_ACTION = re.compile(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"|<form[^>]*action="([^"]+)"[^>]*id="kc-form-login"')


def sign_in(keycloak_url: str, redirect_uri: str, source: str) -> float | None:
    """One whole sign-in from `source`; its seconds, or None when it did not end with a code."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode({"client_id": "b2b-portal", "response_type": "code", "scope": "openid",
                       "redirect_uri": redirect_uri, "state": secrets.token_urlsafe(8),
                       "code_challenge": challenge, "code_challenge_method": "S256"})
    started = time.perf_counter()
    with client(source) as browser:
        try:
            page = browser.get(f"{keycloak_url}/realms/woundwo/protocol/openid-connect/auth?{query}", timeout=30)
            found = FORM_ACTION.search(page.text)
            if page.status_code != 200 or not found:
                return None
            # Keycloak's cookies are Secure; over http://localhost a browser sends them, requests needs telling.
            answer = browser.post(html.unescape(found.group(1) or found.group(2)), timeout=30, allow_redirects=False,
                                  cookies=page.cookies.get_dict(),
                                  data={"username": PARTNER.email, "password": PARTNER.password, "credentialId": ""})
        except OSError:
            return None
    if answer.status_code == 302 and "code=" in answer.headers.get("Location", ""):
        return time.perf_counter() - started
    return None


def measure(cluster: Cluster, clients: int, seconds: float, sources) -> dict:
    """`clients` threads signing in back to back for `seconds`: sign-ins per second and latencies."""
    redirect_uri, lock = f"{cluster.portal_url}/callback", threading.Lock()
    durations: list[float] = []
    failures = 0
    deadline = time.monotonic() + seconds

    def run() -> None:
        nonlocal failures
        while time.monotonic() < deadline:
            with lock:
                source = next(sources)
            took = sign_in(cluster.keycloak_url, redirect_uri, source)
            with lock:
                if took is None:
                    failures += 1
                else:
                    durations.append(took)

    started = time.monotonic()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(durations)
    return {"sign_ins": len(durations), "failures": failures, "seconds": round(elapsed, 1),
            "per_second": round(len(durations) / elapsed, 2),
            "median_ms": round(statistics.median(ordered) * 1000) if ordered else None,
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000) if ordered else None}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args(argv)
    sources = itertools.cycle(f"127.0.5.{n}" for n in range(1, 251))
    cluster = Cluster(PORTS, STATE_DIR)
    results: list[dict] = []
    try:
        started = cluster.start()
        node_2 = cluster.nodes[1]
        sign_in(cluster.keycloak_url, f"{cluster.portal_url}/callback", "127.0.5.251")  # warm both paths once
        for round_number in range(1, args.rounds + 1):
            results.append({"round": round_number, "nodes": 2, **measure(cluster, args.clients, args.seconds, sources)})
            node_2.kill()
            cluster.wait_for_view(1)
            results.append({"round": round_number, "nodes": 1, **measure(cluster, args.clients, args.seconds, sources)})
            cluster.restart_node(node_2)
    finally:
        cluster.stop()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"cluster_start_seconds": round(started), "clients": args.clients,
                                   "seconds": args.seconds, "results": results}, indent=2))
    print(f"cluster start {started:.0f} s; {args.clients} clients, {args.seconds:.0f} s per measurement\n")
    print("| round | Keycloak nodes | sign-ins/s | sign-ins | failed | median ms | p95 ms |")
    print("|---|---|---|---|---|---|---|")
    for result in results:
        print(f"| {result['round']} | {result['nodes']} | {result['per_second']} | {result['sign_ins']} | "
              f"{result['failures']} | {result['median_ms']} | {result['p95_ms']} |")


if __name__ == "__main__":
    main()
