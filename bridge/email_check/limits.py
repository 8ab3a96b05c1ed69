"""The e-mail check's rate limits: per client IP and for everyone, counted once for all processes."""

from __future__ import annotations

import functools
import math
import time

from limits import RateLimitItem, parse_many

from bridge.core.extensions import limiter


@functools.cache
def _parsed(limits: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limits))


def seconds_until_allowed(config, client: str) -> int | None:
    """When this client's or everyone's e-mail check limits are used up: the seconds to wait; else None.

    Counted in Flask-Limiter's own storage (BRIDGE_RATELIMIT_STORAGE_URI) through its strategy, but
    without its per-view decorators, which cost about a third of a cached check (docs/benchmarks.md §1).
    """
    if not config.get("RATELIMIT_ENABLED", True):
        return None
    counted = [(item, "email-status-ip", client) for item in _parsed(config["EMAIL_CHECK_LIMIT_PER_IP"])]
    counted += [(item, "email-status-global", "everyone") for item in _parsed(config["EMAIL_CHECK_LIMIT_GLOBAL"])]
    strategy = limiter.limiter
    for item, *identifiers in counted:
        if not strategy.hit(item, *identifiers):
            reset_at, _ = strategy.get_window_stats(item, *identifiers)
            return max(1, math.ceil(reset_at - time.time()))
    return None
