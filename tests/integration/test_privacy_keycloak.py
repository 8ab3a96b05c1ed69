"""A person's export and erasure, and inactive accounts, against the real Keycloak (its admin API and its LOGIN
events) and the real SMTP sink."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, OutboxKind, SignIn, utcnow
from bridge.keycloak.access import MANAGER_ROLE, PARTNER_ROLE, has_access
from bridge.privacy import inactivity
from bridge.review import service as review
from devstack.seed import MANAGER_WEST
from tests.support.forms import submit_request
from tests.support.mail import wait_for_message
from tests.support.oidc import authorization_code, browser_session, open_login_page, submit_login
from tests.support.personal_data import places_holding
from tests.support.worker import run_outbox

WEST = review.Reviewer(MANAGER_WEST.email, "West", frozenset({MANAGER_ROLE}))
PASSWORD = "Privacy-Test-2026!"


def privacy(app, *args):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["privacy", *args])


@pytest.fixture
def provisioned(app, gateway):
    """An approved request whose account Keycloak holds: (request id, address, Keycloak id, the person's values)."""
    email = f"privacy.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    values = [email, "Privata", "Kellerhals", "+49 30 9876 5432"]
    assert submit_request(app.test_client(), "de", email=email, first_name="Privata", last_name="Kellerhals",
                          phone=values[3], language="de").status_code == 302
    with app.app_context():
        request_id = session().scalar(select(AccessRequest.id).where(AccessRequest.email == email))
        review.approve(session(), WEST, request_id, "bekannt", utcnow(), "Europe/Paris", "")
    assert run_outbox(app, kinds=(OutboxKind.MAIL, OutboxKind.PROVISION)) == {"sent": 3}
    user_id = gateway.find_user_by_email(email)["id"]
    yield request_id, email, user_id, values
    gateway.delete_user(user_id)


def test_the_export_holds_keycloaks_account_and_erasure_waits_for_the_end_of_access(app, gateway, provisioned):
    request_id, email, user_id, values = provisioned
    data = json.loads(privacy(app, "export", email).output)
    assert [request["id"] for request in data["bridge"]["access_requests"]] == [request_id]
    assert data["keycloak"]["user"]["id"] == user_id and PARTNER_ROLE in data["keycloak"]["realm_roles"]
    assert data["keycloak"]["user"]["attributes"]["customer_number"] == ["100001"]
    refused = privacy(app, "erase", email, "--yes")
    assert refused.exit_code == 1 and f"request {request_id} is approved" in refused.output
    with app.app_context():
        review.revoke(session(), app.extensions["bridge.keycloak"], app.extensions["bridge.broadcast"], WEST, user_id,
                      "left", utcnow(), "")
    erased = privacy(app, "erase", email, "--yes")
    assert erased.exit_code == 0, erased.output
    assert f"the account {user_id}" in erased.output and "adminEventsExpiration" in erased.output
    with app.app_context():
        assert places_holding(session(), values) == []
    assert gateway.get_user(user_id)["email"] == email, "Keycloak keeps the account, as the command says"


def new_partner(gateway, language: str) -> tuple[str, str]:
    email = f"idle.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    user_id = gateway.ensure_user(email, "Idris", "Lenoir", language, {"customer_number": "100001"}, email_verified=True)
    gateway.add_member(gateway.ensure_organization("100001", "Pharmacie Centrale", "west"), user_id)
    gateway.grant_realm_role(user_id, PARTNER_ROLE)
    return email, user_id


def test_a_partner_without_sign_in_loses_access_and_one_who_signs_in_after_the_notice_keeps_it(
        app, gateway, keycloak, mailcatcher, test_env):
    (idle, idle_id), (active, active_id) = new_partner(gateway, "fr"), new_partner(gateway, "en")
    try:
        with app.app_context():  # the bridge first saw both 400 days ago; neither signed in since
            session().add_all([SignIn(keycloak_user_id=user_id, first_seen_at=utcnow() - timedelta(days=400))
                               for user_id in (idle_id, active_id)])
            session().commit()
        now = utcnow()
        watch = lambda at: inactivity.watch(  # noqa: E731
            session(), app.extensions["bridge.worker_keycloak"], app.extensions["bridge.broadcast"], at, app.config)
        with app.app_context():
            assert watch(now)["noticed"] == 2
        run_outbox(app, kinds=(OutboxKind.MAIL,))
        assert wait_for_message(mailcatcher, idle)["Subject"].startswith("Votre accès WOUNDWO B2B prendra bientôt fin")
        assert wait_for_message(mailcatcher, active)["Subject"].startswith("Your WOUNDWO B2B access ends soon")
        gateway.set_password(active_id, PASSWORD)
        redirect_uri = test_env["PORTAL_URL"] + "/callback"
        browser = browser_session()
        page = open_login_page(browser, keycloak.url, "b2b-portal", redirect_uri)
        assert authorization_code(submit_login(browser, page, active, PASSWORD), redirect_uri)
        with app.app_context():
            assert watch(now + timedelta(days=31))["ended"] == 1
        assert has_access(gateway, idle) is False and has_access(gateway, active) is True
    finally:
        gateway.delete_user(idle_id)
        gateway.delete_user(active_id)
