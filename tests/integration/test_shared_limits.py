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
