"""A revocation made through one bridge reaches the other bridge's e-mail check (issue item 6).

Both bridges cache "known" answers per process (two minutes); a manager revokes the person on bridge-1;
bridge-2's processes drop their cached answer through the Redis broadcast, so its checks say "unknown"
within a second (docs/cluster.md). Every check comes from its own loopback address: the cluster's
per-IP limit is low.
"""

from __future__ import annotations

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import pytest
import redis

from bridge.keycloak.gateway import KeycloakGateway
from devstack.seed import MANAGER_WEST
from tests.support.loopback import client
from tests.support.oidc import browser_session, submit_login

pytestmark = pytest.mark.cluster

PROPAGATION_SECONDS = 1.0
CHECKS = 8


def checks_on(url: str, email: str, round_number: int) -> set[str]:
    """The statuses of CHECKS checks sent 4 at a time (so that both processes of the bridge answer)."""
    def one(index: int) -> str:
        source = f"127.0.{10 + round_number % 200}.{10 + index}"
        return client(source).post(f"{url}/api/v1/email-status", json={"email": email}, timeout=30).json()["status"]

    with ThreadPoolExecutor(4) as pool:
        return set(pool.map(one, range(CHECKS)))


def signed_in_manager(cluster):
    """A browser signed in to the review UI through nginx (both bridges share the secret key)."""
    browser = browser_session()
    start = browser.get(f"{cluster.bridge_url}/manage/login", allow_redirects=False, timeout=30)
    page = browser.get(start.headers["Location"], timeout=30)
    answer = submit_login(browser, page, MANAGER_WEST.email, MANAGER_WEST.password)
    assert answer.status_code == 302 and "/manage/callback" in answer.headers["Location"], answer.status_code
    callback = urlparse(answer.headers["Location"])
    finished = browser.get(f"{cluster.bridge_url}{callback.path}?{callback.query}", allow_redirects=False, timeout=30)
    assert finished.status_code == 302, finished.text[:300]
    return browser


def test_a_person_revoked_through_one_bridge_is_no_longer_known_on_the_other_within_a_second(cluster):
    redis.Redis.from_url(cluster.redis_url).flushdb()   # fresh limits (the global one counts Keycloak look-ups)
    gateway = KeycloakGateway(cluster.keycloak_internal_url, "woundwo", "b2b-bridge",
                              cluster.env["BRIDGE_KEYCLOAK_CLIENT_SECRET"], 30)
    email = f"revoked.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    user_id = gateway.ensure_user(email, "Inès", "Vidal", "fr", {"customer_number": "100001"})
    gateway.add_member(gateway.ensure_organization("100001", "Pharmacie Centrale", "west"), user_id)
    gateway.grant_realm_role(user_id, "b2b-partner")
    bridge_1, bridge_2 = (f"http://localhost:{port}" for port in cluster.ports.bridges)
    assert checks_on(bridge_2, email, 0) == {"known"}

    manager = signed_in_manager(cluster)
    form = manager.get(f"{bridge_1}/manage/", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    revoked = manager.post(f"{bridge_1}/manage/people/{user_id}/revoke", allow_redirects=False, timeout=30,
                           data={"reason": "left the company", "csrf_token": token})
    assert revoked.status_code == 302
    at = time.monotonic()

    round_number = 1
    while (seen := checks_on(bridge_2, email, round_number)) != {"unknown"}:
        assert time.monotonic() - at < PROPAGATION_SECONDS, f"bridge-2 still says {seen}"
        round_number += 1
