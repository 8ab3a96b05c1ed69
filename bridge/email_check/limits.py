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


def client_wait(config, client: str) -> int | None:
    """Seconds until this client may check again when its limit (BRIDGE_EMAIL_CHECK_LIMIT_PER_IP) is used up."""
    return _wait(config, config["EMAIL_CHECK_LIMIT_PER_IP"], "email-status-ip", client)


def keycloak_wait(config) -> int | None:
    """Seconds until Keycloak may be asked again when everyone's limit (BRIDGE_EMAIL_CHECK_LIMIT_GLOBAL) is used
    up. It protects Keycloak, so only checks that would reach Keycloak count: a spray of unknown addresses
    uses it up, while answers from the cache keep coming for everyone else."""
    return _wait(config, config["EMAIL_CHECK_LIMIT_GLOBAL"], "email-status-global", "everyone")


def _wait(config, limits: str, scope: str, key: str) -> int | None:
    """Counted in Flask-Limiter's own storage (BRIDGE_RATELIMIT_STORAGE_URI) through its strategy, but
    without its per-view decorators, which cost about a third of a cached check (docs/benchmarks.md §1)."""
    if not config.get("RATELIMIT_ENABLED", True):
        return None
    strategy = limiter.limiter
    for item in _parsed(limits):
        if not strategy.hit(item, scope, key):
            reset_at, _ = strategy.get_window_stats(item, scope, key)
            return max(1, math.ceil(reset_at - time.time()))
    return None
