"""What counting the e-mail check's limits in Redis costs per check: one round trip per counter (before
issue 19) against the one script call of bridge/email_check/limits.py, in one process, real Redis.

A cache hit counts the client's two windows (BRIDGE_EMAIL_CHECK_LIMIT_PER_IP's default has two: per
minute and per day), a miss also everyone's. "before" is Flask-Limiter's fixed-window strategy, one
`hit` (one EVALSHA) per counter, as the view called it until then; "now" is the view's single script
call. The limits are raised so nothing is refused. Best and median of 7 interleaved rounds of 2,000.

    .venv/bin/python -m bench.email_limit_counts        # needs Debian's redis-server; about 20 s
"""

from __future__ import annotations

import statistics
import timeit

from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from bench import stack
from bridge.email_check import limits
from devstack.ports import free_ports
from devstack.redis_server import running_redis

ROUNDS, CALLS = 7, 2000


def main() -> None:
    with running_redis(free_ports()[0]) as url:
        storage = storage_from_string(url)
        strategy, script = FixedWindowRateLimiter(storage), limits._count_script(storage)
        client = [(item, limits.CLIENT_SCOPE, "127.0.0.1") for item in parse_many("100000000 per minute;100000000 per day")]
        everyone = [(item, limits.KEYCLOAK_SCOPE, "everyone") for item in parse_many("100000000 per second")]

        def one_by_one(counters):
            return lambda: [strategy.hit(item, scope, key) for item, scope, key in counters]

        def in_one_script(counters):
            keys = [storage.prefixed_key(item.key_for(scope, key)) for item, scope, key in counters]
            args = [value for item, _, _ in counters for value in (item.amount, item.get_expiry())]
            return lambda: script(keys=keys, args=args)

        cases = {"cache hit, before: 2 round trips": one_by_one(client),
                 "cache hit, now: 1 round trip": in_one_script(client),
                 "cache miss, before: 3 round trips": one_by_one(client + everyone),
                 "cache miss, now: 1 round trip": in_one_script(client + everyone)}
        timings: dict[str, list[float]] = {name: [] for name in cases}
        for count in cases.values():
            count()  # loads the scripts
        for _ in range(ROUNDS):
            for name, count in cases.items():
                timings[name].append(timeit.timeit(count, number=CALLS) / CALLS * 1e6)
    rows = [{"case": name, "best_us": round(min(values)), "median_us": round(statistics.median(values))}
            for name, values in timings.items()]
    stack.save_results("email_limit_counts", {"machine": stack.machine(), "loadavg_end": stack.loadavg(), "rows": rows})
    print("| counting the limits of one check | µs, best | µs, median |\n|---|--:|--:|")
    for row in rows:
        print(f"| {row['case']} | {row['best_us']:,} | {row['median_us']:,} |")


if __name__ == "__main__":
    main()
