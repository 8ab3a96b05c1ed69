"""Two bridges behind nginx on one PostgreSQL and one Redis: one is killed (SIGKILL) while partners check
their e-mail address and send account requests; the other answers, nothing is lost, and the limits are
counted once for both bridges (tests/cluster/conftest.py sets them low: 12 checks per IP, 8 Keycloak
look-ups for everyone, per hour).
"""

from __future__ import annotations

import time

import pytest
import redis
import requests

from devstack.seed import PARTNER
from tests.support.forms import VALID_REQUEST, hidden_fields
from tests.support.loopback import client

pytestmark = pytest.mark.cluster

CHECKS_PER_IP = 12
KEYCLOAK_LOOKUPS = 8


def check(session: requests.Session, cluster, email: str) -> int:
    return session.post(f"{cluster.bridge_url}/api/v1/email-status", json={"email": email}, timeout=30).status_code


def access_log_lines(cluster) -> int:
    return len(cluster.nginx_access_log.read_text().splitlines())


def bridges_that_answered(cluster, since: int) -> set[str]:
    """The bridges nginx's access log names as answering after its first `since` lines."""
    lines = cluster.nginx_access_log.read_text().splitlines()[since:]
    return {line.rsplit("upstream=", 1)[1].split(",")[-1].strip()
            for line in lines if line.startswith(f"{cluster.ports.bridge_public} ")}


@pytest.fixture
def counters(cluster):
    """Empty rate-limit counters in the one Redis both bridges count in."""
    redis.Redis.from_url(cluster.redis_url).flushdb()


def test_one_bridge_killed_mid_stream_the_other_answers_and_one_ip_limit_counts_both(cluster, counters):
    partner, before = client(), access_log_lines(cluster)
    codes = []
    for number in range(CHECKS_PER_IP + 4):
        if number == 5:
            cluster.kill_bridge(cluster.ports.bridges[0])
        codes.append(check(partner, cluster, PARTNER.email))
    assert codes == [200] * CHECKS_PER_IP + [429] * 4
    assert bridges_that_answered(cluster, before) == {f"127.0.0.1:{port}" for port in cluster.ports.bridges}


def test_one_bridge_killed_mid_stream_the_global_keycloak_limit_counts_both(cluster, counters):
    sprayer = client("127.0.0.2")
    codes = []
    for number in range(KEYCLOAK_LOOKUPS + 4):
        if number == 3:
            cluster.kill_bridge(cluster.ports.bridges[1])
        codes.append(check(sprayer, cluster, f"nobody.{number}.{time.time_ns()}@unknown.example"))
    assert codes == [200] * KEYCLOAK_LOOKUPS + [429] * 4


def send_request(cluster, email: str) -> int:
    """The account request form, as a browser sends it: GET (one bridge), POST (maybe the other)."""
    browser = requests.Session()
    page = browser.get(f"{cluster.bridge_url}/request-access?lang=en", timeout=30)
    data = {**VALID_REQUEST, **hidden_fields(page.text), "email": email}
    return browser.post(f"{cluster.bridge_url}/request-access?lang=en", data=data, allow_redirects=False,
                        timeout=30).status_code


def test_account_requests_sent_while_a_bridge_is_killed_are_each_stored_once(cluster, counters):
    run = time.time_ns()
    emails = [f"cluster.{run}.{number}@pharmacie-centrale.example" for number in range(8)]
    codes = []
    for number, email in enumerate(emails):
        if number == 3:
            cluster.kill_bridge(cluster.ports.bridges[0])
        codes.append(send_request(cluster, email))
    assert codes == [302] * len(emails)
    stored = cluster.postgres.execute(
        f"SELECT email, count(*) FROM access_request WHERE email LIKE 'cluster.{run}.%' GROUP BY email", "bridge")
    assert dict(stored) == {email: 1 for email in emails}
