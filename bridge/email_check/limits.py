"""The e-mail check's rate limits: per client IP and for everyone, counted once for all processes.

Both are fixed windows in Flask-Limiter's own storage (BRIDGE_RATELIMIT_STORAGE_URI), under the keys its
strategy uses, but counted without its per-view decorators, which cost about a third of a cached check
(docs/benchmarks.md §1). With Redis, as in production, one check is one round trip: a script counts the
client's windows and, for a check that will ask Keycloak, everyone's.
"""

from __future__ import annotations

import functools
import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import RedisClusterStorage, RedisStorage

from bridge.core.extensions import limiter

CLIENT_SCOPE, KEYCLOAK_SCOPE = "email-status-ip", "email-status-global"

# KEYS: the counters, the client's first; ARGV: each counter's limit and window (s). Counts in order and
# stops at the first used-up counter, so a throttled client never uses up everyone's share of Keycloak.
# Returns 0, or the seconds until that counter's window ends.
COUNT_SCRIPT = """
for index, key in ipairs(KEYS) do
  local count = redis.call("INCR", key)
  if count == 1 then
    redis.call("EXPIRE", key, ARGV[2 * index])
  end
  if count > tonumber(ARGV[2 * index - 1]) then
    return math.max(redis.call("TTL", key), 1)
  end
end
return 0
"""


@functools.cache
def _parsed(limits: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limits))


def wait(config, client: str, asks_keycloak: bool) -> int | None:
    """Count one check of `client`; None when it may go on, else the seconds to wait (Retry-After).

    Every check counts against the client's limit (BRIDGE_EMAIL_CHECK_LIMIT_PER_IP). Only a check that
    will ask Keycloak counts against everyone's (BRIDGE_EMAIL_CHECK_LIMIT_GLOBAL): that limit protects
    Keycloak, so a spray of unknown addresses uses it up while cached answers keep coming for everyone else.
    """
    if not config.get("RATELIMIT_ENABLED", True):
        return None
    counters = [(item, CLIENT_SCOPE, client) for item in _parsed(config["EMAIL_CHECK_LIMIT_PER_IP"])]
    if asks_keycloak:
        counters += [(item, KEYCLOAK_SCOPE, "everyone") for item in _parsed(config["EMAIL_CHECK_LIMIT_GLOBAL"])]
    storage = limiter.limiter.storage
    if isinstance(storage, RedisStorage) and not isinstance(storage, RedisClusterStorage):
        seconds = _count_script(storage)(
            keys=[storage.prefixed_key(item.key_for(scope, key)) for item, scope, key in counters],
            args=[value for item, _, _ in counters for value in (item.amount, item.get_expiry())])
        return int(seconds) or None
    return _wait_one_by_one(counters)


def keycloak_retry_after(config) -> int:
    """Seconds until everyone's limit lets a check reach Keycloak again (read only on a refusal)."""
    strategy = limiter.limiter
    ends = [strategy.get_window_stats(item, KEYCLOAK_SCOPE, "everyone")[0]
            for item in _parsed(config["EMAIL_CHECK_LIMIT_GLOBAL"])]
    return max(1, math.ceil(max(ends) - time.time()))


@functools.cache
def _count_script(storage: RedisStorage):
    """The counting script, registered once per storage (then sent by its SHA1)."""
    return storage.get_connection().register_script(COUNT_SCRIPT)


def _wait_one_by_one(counters: list[tuple[RateLimitItem, str, str]]) -> int | None:
    """The same count through Flask-Limiter's strategy, one call per counter (in-memory storage: one process)."""
    strategy = limiter.limiter
    for item, scope, key in counters:
        if not strategy.hit(item, scope, key):
            reset_at, _ = strategy.get_window_stats(item, scope, key)
            return max(1, math.ceil(reset_at - time.time()))
    return None
