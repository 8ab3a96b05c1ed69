"""The live e-mail check: is this address known (can sign in), unknown, or not an address at all?

Bounded by design (docs/security.md): answers are cached so bursts do not reach Keycloak, "unknown"
is cached briefly so a just-approved person turns green quickly, addresses are only ever logged
as a keyed hash, and after Keycloak failed to answer, cache misses answer "unavailable" at once for a
short pause instead of each waiting for the deadline again (cached answers are still served).
"""

from __future__ import annotations

import threading
import time
from enum import StrEnum
from typing import Callable

from bridge.core.addresses import normalize
from bridge.keycloak.interface import KeycloakUnavailable


class Status(StrEnum):
    """What the login page shows for an address."""

    KNOWN = "known"
    UNKNOWN = "unknown"
    PENDING = "pending"  # unknown to Keycloak, but a request for it waits for its regional manager
    INVALID = "invalid"
    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"
    DISABLED = "disabled"


MAX_UNKNOWN_TTL = 30


class NotAskedNow(RuntimeError):
    """The answer is not cached and Keycloak may not be asked right now (the global limit is used up)."""


class TTLCache:
    """A small thread-safe in-process cache with per-entry lifetimes and a size bound."""

    def __init__(self, max_entries: int = 50_000, clock: Callable[[], float] = time.monotonic):
        self._entries: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._clock = clock

    def get(self, key: str) -> Status | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, value = entry
            if expires <= self._clock():
                del self._entries[key]
                return None
            return value

    def put(self, key: str, value: str, ttl: float) -> None:
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._evict_expired_or_oldest()
            self._entries[key] = (self._clock() + ttl, value)

    def drop(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def _evict_expired_or_oldest(self) -> None:
        now = self._clock()
        expired = [key for key, (expires, _) in self._entries.items() if expires <= now]
        for key in expired or [next(iter(self._entries))]:
            del self._entries[key]


class EmailStatusService:
    """Answers known / unknown / pending / invalid for an address, asking Keycloak at most once per TTL.

    `lookup(email)` asks Keycloak whether the address has access; `pending(email)` whether a request for
    it waits (asked only when Keycloak says no). "pending" is cached like "unknown".
    """

    def __init__(self, lookup: Callable[[str], bool], cache: TTLCache, ttl_known: float, ttl_unknown: float,
                 pause_after_failure: float = 0, clock: Callable[[], float] = time.monotonic,
                 pending: Callable[[str], bool] = lambda email: False):
        if ttl_unknown > MAX_UNKNOWN_TTL:
            raise ValueError(f"an unknown answer may be cached at most {MAX_UNKNOWN_TTL} s")
        self._lookup = lookup
        self._pending = pending
        self._cache = cache
        self._ttl = {Status.KNOWN: ttl_known, Status.UNKNOWN: ttl_unknown, Status.PENDING: ttl_unknown}
        self._pause = pause_after_failure
        self._clock = clock
        self._paused_until = float("-inf")

    def answer_without_keycloak(self, raw: str) -> Status | None:
        """The answer when Keycloak need not or cannot be asked — cached, invalid, or unavailable during the
        pause after a failure — else None. Lets the caller count only the checks that will reach Keycloak."""
        cached = self._cache.get(raw.strip().lower())
        if cached is not None:
            return cached
        if normalize(raw) is None:
            return Status.INVALID
        if self._clock() < self._paused_until:
            return Status.UNAVAILABLE
        return None

    def status(self, raw: str, may_ask: Callable[[], bool] = lambda: True) -> Status:
        """The status of `raw`; raises KeycloakUnavailable when Keycloak cannot answer, and NotAskedNow when
        the answer is not cached and `may_ask()` (consulted only then) says no."""
        # Only valid addresses are cached, under their normalized form: a hit needs no validation.
        cached = self._cache.get(raw.strip().lower())
        if cached is not None:
            return cached
        email = normalize(raw)
        if email is None:
            return Status.INVALID
        if self._clock() < self._paused_until:
            raise KeycloakUnavailable("Keycloak failed a moment ago; not asked again yet")
        if not may_ask():
            raise NotAskedNow(email)
        try:
            found = self._lookup(email)
        except KeycloakUnavailable:
            self._paused_until = self._clock() + self._pause
            raise
        result = Status.KNOWN if found else Status.PENDING if self._pending(email) else Status.UNKNOWN
        self._cache.put(email, result, self._ttl[result])
        return result

    def forget(self, email: str) -> None:
        """Drop a cached answer, e.g. right after the person got (or lost) access."""
        normalized = normalize(email)
        if normalized:
            self._cache.drop(normalized)
