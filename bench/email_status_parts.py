"""What one cache-hit e-mail check costs, step by step, in one process and one thread (no HTTP).

Complements bench/email_status.py (which loads the real server): here each step of the request
path of `POST /api/v1/email-status` with a warm cache is timed on its own with `timeit`, so the
per-check costs can be compared with each other and with a whole request through Flask's test
client (bridge app, rate limits raised as in the load benchmark; log lines go to a file as under
gunicorn). No Keycloak is contacted: the lookup is a stub and every address is pre-cached.

Run from the repo root (about a minute):

    .venv/bin/python -m bench.email_status_parts

Prints a Markdown table of microseconds per call: single steps best of 5 timeit repeats, whole
requests best of 20 interleaved rounds of 200 (so other jobs on the machine hit every variant
alike); raw numbers go to .devstack/bench/results/email_status_parts.json. The test client itself
costs a good part of a whole request: compare the variants with each other and with the floor app.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
import timeit

from bench import stack
from bench.stack import BENCH_STATE

ADDRESS = "bench.partner07@pharmacie-bench.example"
ROUNDS, CALLS_PER_ROUND = 20, 200


def best_us(statement, number: int) -> float:
    return min(timeit.repeat(statement, number=number, repeat=5)) / number * 1e6


def main(argv: list[str] | None = None) -> None:
    import os

    BENCH_STATE.mkdir(parents=True, exist_ok=True)
    log_file = BENCH_STATE / "email_status_parts.log"
    logging.basicConfig(filename=log_file, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    env = stack.bench_env()
    env.update({"BRIDGE_EMAIL_CHECK_LIMIT_PER_IP": "100000000 per minute",
                "BRIDGE_EMAIL_CHECK_LIMIT_GLOBAL": "100000000 per second",
                "BRIDGE_DATABASE_URL": f"sqlite:///{BENCH_STATE / 'parts.sqlite'}"})
    os.environ.update(env)

    from bridge import create_app
    from bridge.core.addresses import keyed_hash, normalize
    from bridge.email_check.service import EmailStatusService, TTLCache
    from bridge.keycloak.gateway import KeycloakGateway
    from bridge.core.metrics import EMAIL_CHECKS

    def app_with(**overrides):
        app = create_app(overrides)
        service = EmailStatusService(lambda email: True, TTLCache(), 120, 20)
        service.status(ADDRESS)  # cached from now on
        app.extensions["bridge.email_status"] = service
        return app

    gateway = KeycloakGateway(env["BRIDGE_KEYCLOAK_URL"], "woundwo", "b2b-bridge", "x", 1.5)
    service = EmailStatusService(lambda email: True, TTLCache(), 120, 20)
    service.status(ADDRESS)
    cache = TTLCache()
    cache.put(ADDRESS, "known", 120)
    log = logging.getLogger("bridge.api")
    secret = env["BRIDGE_SECRET_KEY"]
    body = json.dumps({"email": ADDRESS})
    headers = {"Content-Type": "application/json", "Origin": stack.KEYCLOAK_URL}

    from bench.naive_email_status import create_floor_app

    bridge_client = app_with(RATELIMIT_ENABLED=True).test_client()
    floor_client = create_floor_app().test_client()
    api_log = logging.getLogger("bridge.api")

    def variant(client, limits: bool, log_line: bool):
        def apply():
            # The e-mail check counts its limits only while RATELIMIT_ENABLED is on (bridge/email_check/limits.py).
            client.application.config["RATELIMIT_ENABLED"] = limits
            api_log.setLevel(logging.NOTSET if log_line else logging.WARNING)
            return client
        return apply

    whole = {
        "whole request (test client), bridge app as configured": variant(bridge_client, True, True),
        "whole request (test client), bridge, per-check log line off": variant(bridge_client, True, False),
        "whole request (test client), bridge, rate limiting off": variant(bridge_client, False, True),
        "whole request (test client), bridge, log line and rate limiting off": variant(bridge_client, False, False),
        "whole request (test client), Flask floor app (parse body, constant answer)": variant(floor_client, True, True),
    }
    for apply in whole.values():
        assert apply().post("/api/v1/email-status", data=body, headers=headers).get_json() == {"status": "known"}

    rows = [
        ("normalize(): email_validator.validate_email + strip/lower", lambda: normalize(ADDRESS), 5000),
        ("TTLCache.get (the cache hit itself)", lambda: cache.get(ADDRESS), 200000),
        ("EmailStatusService.status on a hit (normalize + get)", lambda: service.status(ADDRESS), 5000),
        ("gateway.within(...) around a hit (thread-pool hand-off + status)",
         lambda: gateway.within(lambda: service.status(ADDRESS)), 3000),
        ("keyed_hash (HMAC-SHA256 of the address for the log line)", lambda: keyed_hash(secret, ADDRESS), 100000),
        ("log.info line to a file (as under gunicorn, stderr to a file)",
         lambda: log.info("email-status %s for %s", "known", "0123456789abcdef"), 20000),
        ("Prometheus counter inc (labels + inc)", lambda: EMAIL_CHECKS.labels(result="known").inc(), 100000),
    ]
    results = []
    for name, statement, number in rows:
        results.append({"step": name, "us_per_call": round(best_us(statement, number), 2)})
        print(f"{results[-1]['us_per_call']:10.2f} µs  {name}", file=sys.stderr)
    # Whole requests: interleaved rounds, best round per variant, so other jobs hit them alike.
    best = {name: float("inf") for name in whole}
    gc.disable()  # as timeit does for the single steps
    for _ in range(ROUNDS):
        for name, apply in whole.items():
            client = apply()
            started = timeit.default_timer()
            for _ in range(CALLS_PER_ROUND):
                client.post("/api/v1/email-status", data=body, headers=headers)
            best[name] = min(best[name], (timeit.default_timer() - started) / CALLS_PER_ROUND * 1e6)
    gc.enable()
    api_log.setLevel(logging.NOTSET)
    for name, us in best.items():
        results.append({"step": name, "us_per_call": round(us, 2)})
        print(f"{us:10.2f} µs  {name}", file=sys.stderr)
    info = stack.machine()
    stack.save_results("email_status_parts", {"machine": info, "command": "python -m bench.email_status_parts",
                                              "results": results})
    print("| step (cache hit, one thread, no HTTP server) | µs per call (best) |")
    print("|---|--:|")
    for row in results:
        print(f"| {row['step']} | {row['us_per_call']:,.1f} |")


if __name__ == "__main__":
    main()
