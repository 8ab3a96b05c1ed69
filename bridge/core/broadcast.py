"""Messages to every bridge process, e.g. "this person's access changed: drop what you cached about them".

Where the rate-limit counters live in Redis (BRIDGE_RATELIMIT_STORAGE_URI=redis://…, i.e. several
processes serve), messages travel by Redis pub/sub and reach every process within a moment; with
memory:// there is one process, and a message reaches its handlers at once. A process that is cut off
from Redis misses what was sent meanwhile: the cached answers it keeps are bounded by their lifetime.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from typing import Callable

import redis

log = logging.getLogger(__name__)
PREFIX = "bridge:"
ACCESS_CHANGED = PREFIX + "access-changed"  # message: a normalized e-mail address


class Broadcast:
    """Publish a message on a channel; every process's handlers for that channel receive it."""

    def __init__(self, storage_uri: str):
        self._handlers: dict[str, list[Callable[[str], None]]] = defaultdict(list)
        self._redis = redis.Redis.from_url(storage_uri) if storage_uri.startswith(("redis://", "rediss://")) else None
        self._listening = False
        self._lock = threading.Lock()

    def subscribe(self, channel: str, handler: Callable[[str], None]) -> None:
        """Call `handler(message)` for every message on `channel`, from this process or another."""
        self._handlers[channel].append(handler)
        with self._lock:
            if self._redis is not None and not self._listening:
                self._listening = True
                threading.Thread(target=self._listen, daemon=True, name="bridge-broadcast").start()

    def publish(self, channel: str, message: str) -> None:
        """Deliver here at once, and to the other processes through Redis (best effort: logged when it fails)."""
        self._deliver(channel, message)
        if self._redis is not None:
            try:
                self._redis.publish(channel, message)
            except redis.RedisError as exc:
                log.warning("broadcast on %s not sent: %s", channel, type(exc).__name__)

    def _deliver(self, channel: str, message: str) -> None:
        for handler in self._handlers.get(channel, ()):
            handler(message)

    def _listen(self) -> None:
        """Receive forever; an outage is logged when it starts and when it ends, not at every retry."""
        lost_since: float | None = None
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(PREFIX + "*")
                if lost_since is not None:
                    log.info("broadcast listener: listening again after %.0f s without Redis",
                             time.monotonic() - lost_since)
                    lost_since = None
                for item in pubsub.listen():
                    self._deliver(item["channel"].decode(), item["data"].decode())
            except redis.RedisError as exc:
                if lost_since is None:
                    lost_since = time.monotonic()
                    log.warning("broadcast listener: %s; trying again every second (messages sent meanwhile are "
                                "missed; cached answers expire on their own)", type(exc).__name__)
                time.sleep(1)
