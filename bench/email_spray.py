"""The live e-mail check during a spray: does it stay up for partners, and does Keycloak stay protected? (issue 19)

What runs (everything on 127.0.0.1, nothing on the test or dev-stack ports):

* the bench Keycloak on 28080 (reused if `python -m bench.stack` keeps one up), seeded as for
  bench/email_status.py (25 known partners); its management port's /metrics counts the user searches it
  receives (`http_server_requests_seconds_count`, GET /admin/realms/{realm}/users), read every second;
* the bridge under gunicorn as in production (`--config deploy/gunicorn.conf.py --workers 3`, sync), on
  28014, counters in Redis (26379) as `docker-compose.yml` keeps them, and the **default limits**:
  per IP `60 per minute;1000 per day`, everyone `100 per second` (or --global-limit); cache TTLs as in
  production (known 120 s, unknown 20 s); no proxy in front and BRIDGE_TRUSTED_PROXIES=0, so the client
  IP is the TCP peer address. Every client socket is bound to its own loopback source address
  (127.0.0.0/8 is all loopback on Linux), which the bridge sees as that client's IP — as it sees real
  client IPs directly, or behind a proxy with BRIDGE_TRUSTED_PROXIES set (docs/security.md);
* 20 legitimate clients (sources 127.0.3.1–20), each checking its own known address once a second,
  every address answered once before the spray in each gunicorn worker (pre-warmed on fresh
  connections from other sources), so all of them are "answered within the cache lifetime";
* the spray: --threads closed-loop threads sending 10,000 distinct unknown addresses (in turn, then
  again) from 200 source addresses (127.0.2.1–200, in turn) as fast as they can for --duration s.

Reported: what the spray got (answers by status), what Keycloak received (searches per second: mean
over the spray, and each one-second sample), what the legitimate clients got (share of their real
status, latency), CPU of the bridge, Keycloak and everything else. Goals (issue 19): Keycloak receives
at most the configured global rate; >= 99 % of the legitimate checks get their real status.

    .venv/bin/python -m bench.email_spray
    .venv/bin/python -m bench.email_spray --duration 30 --threads 24 --repetitions 2

Raw numbers go to .devstack/bench/results/email_spray.json.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import statistics
import threading
import time

import requests

from bench import stack
from bench.email_status import BRIDGE_APP, REDIS_PORT, addresses, bridge_env, migrate_bridge_db, seed_partners
from bench.stack import Server, say
from devstack.redis_server import running_redis

PORT = 28014
LEGITIMATE, SPRAY_SOURCES, SPRAY_ADDRESSES = 20, 200, 10_000
SEARCH_SERIES = ('http_server_requests_seconds_count{', 'method="GET"', 'uri="/admin/realms/{realm}/users"')


def post(source: str, email: str) -> tuple[int, str, float]:
    """One check on a new connection from `source` (a loopback address): (HTTP status, answer, seconds)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10, source_address=(source, 0))
    try:
        connection.request("POST", "/api/v1/email-status", json.dumps({"email": email}),
                           {"Content-Type": "application/json", "Origin": stack.KEYCLOAK_URL})
        response = connection.getresponse()
        body = json.loads(response.read() or b"{}")
        return response.status, body.get("status", ""), time.perf_counter() - started
    except (OSError, http.client.HTTPException, ValueError):
        return 0, "error", time.perf_counter() - started
    finally:
        connection.close()


def keycloak_searches() -> float:
    """User searches Keycloak has answered since it started (its own metrics)."""
    text = requests.get(f"http://127.0.0.1:{stack.BENCH_PORTS.keycloak_management}/metrics", timeout=10).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(SEARCH_SERIES[0]) and all(part in line for part in SEARCH_SERIES[1:]))


def prewarm(known: list[str], rounds: int) -> None:
    """Every legitimate address answered in every worker: `rounds` checks each, on new connections, from
    sources that are neither the spray's nor the legitimate clients' (their own limits stay untouched)."""
    sources = itertools.cycle(f"127.0.4.{n}" for n in range(1, 251))
    for _ in range(rounds):
        for email in known:
            code, status, _ = post(next(sources), email)
            while code == 429:  # everyone's limit, when set low, is used up by the pre-warm's own misses
                time.sleep(1)
                code, status, _ = post(next(sources), email)
            if (code, status) != (200, "known"):
                raise SystemExit(f"pre-warm: {email} answered {code} {status}")


def run_once(duration: float, threads: int, known: list[str], token: str) -> dict:
    """One spray of `duration` seconds beside the legitimate clients; what each side got."""
    stop = threading.Event()
    sprayed: dict[str, int] = {}
    spray_lock = threading.Lock()
    counter = itertools.count()
    legit: list[tuple[int, str, float]] = []
    samples: list[float] = []

    def spray() -> None:
        while not stop.is_set():
            n = next(counter)
            code, status, _ = post(f"127.0.2.{n % SPRAY_SOURCES + 1}",
                                   f"spray.{token}.{n % SPRAY_ADDRESSES:05d}@unknown-spray.example")
            with spray_lock:
                key = f"{code} {status}"
                sprayed[key] = sprayed.get(key, 0) + 1

    def partner(index: int, started: float) -> None:
        for second in itertools.count(1):
            if stop.wait(max(0.0, started + second - time.perf_counter())):
                return
            legit.append(post(f"127.0.3.{index + 1}", known[index]))

    def sample(started: float) -> None:
        for second in itertools.count(1):
            samples.append(keycloak_searches())
            if stop.wait(max(0.0, started + second - time.perf_counter())):
                samples.append(keycloak_searches())
                return

    workers = [threading.Thread(target=spray, daemon=True) for _ in range(threads)]
    started = time.perf_counter()
    helpers = [threading.Thread(target=sample, args=(started,), daemon=True)]
    helpers += [threading.Thread(target=partner, args=(i, started), daemon=True) for i in range(len(known))]
    cpu_before, machine_before = stack.cpu_seconds(stack.keycloak_pids()), stack.machine_cpu_seconds()
    for thread in helpers + workers:
        thread.start()
    time.sleep(duration)
    stop.set()
    for thread in helpers + workers:
        thread.join(15)
    seconds = time.perf_counter() - started
    keycloak_cpu = stack.cpu_seconds(stack.keycloak_pids()) - cpu_before
    machine_cpu = stack.machine_cpu_seconds() - machine_before
    per_second = [later - earlier for earlier, later in zip(samples, samples[1:])]
    real = [entry for entry in legit if entry[:2] == (200, "known")]
    legit_latency_ms = sorted(entry[2] * 1000 for entry in legit)
    return {
        "seconds": round(seconds, 1),
        "spray_answers": dict(sorted(sprayed.items())),
        "spray_per_second": round(sum(sprayed.values()) / seconds, 1),
        "keycloak_searches": round(samples[-1] - samples[0]),
        "keycloak_searches_per_second_mean": round((samples[-1] - samples[0]) / seconds, 1),
        "keycloak_searches_per_second_samples": [round(value) for value in per_second],
        "legitimate_checks": len(legit),
        "legitimate_real_status": len(real),
        "legitimate_real_share_pct": round(100 * len(real) / max(1, len(legit)), 2),
        "legitimate_other_answers": sorted({f"{code} {status}" for code, status, _ in legit} - {"200 known"}),
        "legitimate_p50_ms": round(statistics.median(legit_latency_ms), 1) if legit else None,
        "legitimate_p99_ms": round(legit_latency_ms[int(0.99 * (len(legit_latency_ms) - 1))], 1) if legit else None,
        "keycloak_cpu_pct": round(100 * keycloak_cpu / seconds),
        "machine_cpu_pct": round(100 * machine_cpu / seconds),
        "loadavg_after": stack.loadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--threads", type=int, default=24, help="spray threads (closed loop, new connection each)")
    parser.add_argument("--repetitions", type=int, default=1)
    parser.add_argument("--global-limit", default="100 per second", help="BRIDGE_EMAIL_CHECK_LIMIT_GLOBAL")
    parser.add_argument("--results", default="email_spray")
    args = parser.parse_args()

    known = [email.lower() for email, expected in addresses() if expected == "known"][:LEGITIMATE]
    env = bridge_env()
    del env["BRIDGE_EMAIL_CHECK_LIMIT_PER_IP"]  # the default, 60 per minute;1000 per day
    env["BRIDGE_EMAIL_CHECK_LIMIT_GLOBAL"] = args.global_limit
    info = stack.machine()
    runs = []
    with stack.running_keycloak(), running_redis(stack.check_port(REDIS_PORT)):
        seed_partners()
        info.update(stack.server_info())
        for repetition in range(args.repetitions):
            migrate_bridge_db()
            counters = {**env, "BRIDGE_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{REDIS_PORT}/{repetition + 1}"}
            with Server(f"bridge-spray-{repetition}", stack.gunicorn_command(BRIDGE_APP, PORT, workers=3, threads=None),
                        counters, f"http://127.0.0.1:{PORT}/healthz"):
                prewarm(known, rounds=15)
                time.sleep(2)
                say(f"repetition {repetition + 1}: spraying for {args.duration:.0f} s (load {stack.loadavg()})")
                outcome = run_once(args.duration, args.threads, known, f"r{repetition}")
            say(json.dumps(outcome))
            runs.append(outcome)
    path = stack.save_results(args.results, {"machine": info, "settings": vars(args), "runs": runs})
    print(table(runs, args.global_limit))
    say(f"results: {path}")


def table(runs: list[dict], global_limit: str) -> str:
    lines = [f"Global limit: {global_limit}; per IP: 60 per minute;1000 per day.", "",
             "| run | spray checks/s | spray answers | Keycloak searches/s: mean (max 1-s sample) | legitimate checks "
             "| real status | other answers | legitimate p50 / p99 ms | CPU % Keycloak / machine |",
             "|--:|--:|---|--:|--:|--:|---|--:|--:|"]
    for number, run in enumerate(runs, 1):
        answers = ", ".join(f"{key}: {value:,}" for key, value in run["spray_answers"].items())
        peak = max(run["keycloak_searches_per_second_samples"], default=0)
        lines.append(f"| {number} | {run['spray_per_second']:,} | {answers} | "
                     f"{run['keycloak_searches_per_second_mean']} ({peak}) | {run['legitimate_checks']} | "
                     f"{run['legitimate_real_share_pct']} % | {', '.join(run['legitimate_other_answers']) or '–'} | "
                     f"{run['legitimate_p50_ms']} / {run['legitimate_p99_ms']} | "
                     f"{run['keycloak_cpu_pct']} / {run['machine_cpu_pct']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
