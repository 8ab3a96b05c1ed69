"""A revocation reaches every bridge process: its cached "known" answers are dropped through Redis.

Two gunicorn workers, counters and broadcasts in a real Redis, as docker-compose.yml runs the bridge.
Both workers cache the partner as "known" (for two minutes); a manager revokes the person through
another bridge process (the in-process app here); within a second every check answers "unknown".
"""

from __future__ import annotations

import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bridge.core.db import session
from bridge.directory.customers import import_customers
from devstack import processes
from devstack.ports import free_ports
from devstack.seed import DEMO_CUSTOMERS, MANAGER_WEST
from devstack.settings import REPO_ROOT
from tests.conftest import GENEROUS_LIMIT
from tests.support.manager import csrf_token, sign_in

PROPAGATION_SECONDS = 1.0


@pytest.fixture
def partner(gateway, demo) -> tuple[str, str]:
    email = f"invalidation.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    organization_id = gateway.ensure_organization("100001", "Pharmacie Centrale", "west")
    user_id = gateway.ensure_user(email, "Inès", "Vidal", "fr", {"customer_number": "100001"})
    gateway.add_member(organization_id, user_id)
    gateway.grant_realm_role(user_id, "b2b-partner")
    return user_id, email


@pytest.fixture
def two_workers(keycloak, test_env, redis_url, tmp_path):
    """The bridge under gunicorn with two workers, limits and broadcasts in Redis."""
    port = free_ports()[0]
    log = tmp_path / "bridge.log"
    env = {**test_env, "BRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'bridge.sqlite'}",
           "BRIDGE_RATELIMIT_STORAGE_URI": redis_url, "BRIDGE_EMAIL_CHECK_LIMIT_PER_IP": GENEROUS_LIMIT,
           "BRIDGE_EMAIL_CHECK_LIMIT_GLOBAL": GENEROUS_LIMIT}
    process = processes.spawn([sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--bind",
                               f"127.0.0.1:{port}", "--workers", "2", "bridge:create_app()"], env, log, cwd=REPO_ROOT)
    try:
        processes.wait_http(f"http://127.0.0.1:{port}/healthz", 60, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        processes.stop(process)


def answers(url: str, email: str, count: int = 40) -> set[str]:
    """The statuses of `count` checks sent 8 at a time (so that both workers answer some)."""
    def one(_):
        return requests.post(f"{url}/api/v1/email-status", json={"email": email}, timeout=10).json()["status"]

    with ThreadPoolExecutor(8) as pool:
        return set(pool.map(one, range(count)))


def test_a_revocation_through_one_process_drops_the_known_answer_in_every_other(
        two_workers, partner, make_app, redis_url):
    user_id, email = partner
    assert answers(two_workers, email) == {"known"}

    manager_app = make_app(RATELIMIT_STORAGE_URI=redis_url)
    with manager_app.app_context():
        import_customers(session(), DEMO_CUSTOMERS.read_bytes(), manager_app.config["CUSTOMER_NUMBER_PATTERN"])
    client = sign_in(manager_app.test_client(), MANAGER_WEST.email, MANAGER_WEST.password)
    response = client.post(f"/manage/people/{user_id}/revoke",
                           data={"reason": "left the company", "csrf_token": csrf_token(client, "/manage/")})
    assert response.status_code == 302
    revoked = time.monotonic()

    while (seen := answers(two_workers, email)) != {"unknown"}:
        assert time.monotonic() - revoked < PROPAGATION_SECONDS, f"still {seen} after {PROPAGATION_SECONDS} s"
    assert answers(two_workers, email, 80) == {"unknown"}
