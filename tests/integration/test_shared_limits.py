"""Rate-limit counters shared by every bridge process through Redis (BRIDGE_RATELIMIT_STORAGE_URI).

With `memory://` each process counts on its own, so two gunicorn workers let a client through twice as
often; pointed at a real Redis server, two separate processes count against the same limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import redis

from bridge.core.extensions import limiter
from devstack.seed import PARTNER
from devstack.settings import REPO_ROOT


def checks_in_own_process(env: dict[str, str], count: int) -> list[int]:
    done = subprocess.run([sys.executable, "-m", "tests.support.email_checks", str(count)], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("storage, expected", [
    ("redis", [200, 200, 200, 429]),     # one limit for both processes: the fourth check is refused
    ("memory", [200, 200, 200, 200]),    # each process counts alone: 2 + 2 stay under 3 per minute
])
def test_two_processes_count_one_client_against_one_limit_only_with_redis(
        redis_url, test_env, tmp_path, storage, expected):
    redis.Redis.from_url(redis_url).flushdb()
    env = {**os.environ, **test_env, "BRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'bridge.sqlite'}",
           "BRIDGE_EMAIL_CHECK_LIMIT_PER_IP": "3 per minute",
           "BRIDGE_RATELIMIT_STORAGE_URI": redis_url if storage == "redis" else "memory://"}
    first, second = checks_in_own_process(env, 2), checks_in_own_process(env, 2)
    assert first + second == expected


def test_with_redis_each_check_is_one_round_trip_and_only_what_asks_keycloak_counts_for_everyone(
        make_app, keycloak, demo, redis_url, monkeypatch):
    redis.Redis.from_url(redis_url).flushdb()
    client = make_app(RATELIMIT_STORAGE_URI=redis_url, EMAIL_CHECK_LIMIT_PER_IP="60 per minute;1000 per day",
                      EMAIL_CHECK_LIMIT_GLOBAL="3 per minute", TRUSTED_PROXIES=1).test_client()
    connection, commands = limiter.limiter.storage.get_connection(), []
    send = connection.execute_command
    monkeypatch.setattr(connection, "execute_command", lambda *args, **options: commands.append(args[0])
                        or send(*args, **options))

    def checked(email: str, source: str) -> tuple[str, int]:
        before = len(commands)
        answer = client.post("/api/v1/email-status", json={"email": email}, headers={"X-Forwarded-For": source})
        return answer.json["status"], len(commands) - before

    checked("not an address", "192.0.2.9")  # loads the counting script into Redis once
    assert checked(PARTNER.email, "192.0.2.1") == ("known", 1), "a miss: both limits in one round trip"
    assert checked(PARTNER.email, "192.0.2.1") == ("known", 1), "a hit: the client's limit only, one round trip"
    assert [checked(f"nobody.{n}@example.com", f"198.51.100.{n}") for n in range(2)] == [("unknown", 1)] * 2
    assert checked("nobody.9@example.com", "198.51.100.9")[0] == "throttled", "everyone's 3 per minute is used up"
    assert checked(PARTNER.email, "192.0.2.1") == ("known", 1), "cached answers keep coming"
