"""A bridge process cut off from Redis says so once, not every second, keeps retrying, says when it is back,
and from then on receives broadcasts again (a real redis-server, stopped and started on the same port)."""

from __future__ import annotations

import logging
import time

import pytest
import redis

from bridge.core.broadcast import ACCESS_CHANGED, Broadcast
from devstack.ports import free_ports
from devstack.redis_server import running_redis

pytestmark = pytest.mark.integration


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_an_outage_is_logged_once_and_the_listener_comes_back(caplog):
    port = free_ports()[0]
    received: list[str] = []
    caplog.set_level(logging.INFO, logger="bridge.core.broadcast")
    with running_redis(port) as url:
        broadcast = Broadcast(url)
        broadcast.subscribe(ACCESS_CHANGED, received.append)
        other_process = redis.Redis.from_url(url)
        assert wait_for(lambda: other_process.pubsub_numpat() == 1, 10), "the listener subscribed"
    time.sleep(4.5)  # Redis is down: the listener tries again every second
    lost = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(lost) == 1, [record.getMessage() for record in caplog.records]
    with running_redis(port) as url:
        other_process = redis.Redis.from_url(url)
        assert wait_for(lambda: other_process.pubsub_numpat() == 1, 10), "the listener subscribed again"
        other_process.publish(ACCESS_CHANGED, "zoe@example.com")
        assert wait_for(lambda: received == ["zoe@example.com"], 5)
        messages = [record.getMessage() for record in caplog.records]
        assert len([record for record in caplog.records if record.levelno == logging.WARNING]) == 1, messages
        assert any("listening again after" in message for message in messages), messages
