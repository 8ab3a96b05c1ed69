"""A customer that leaves the ERP directory, against the real Keycloak: its people keep their access through
the grace period, then `customers end-access` (the worker's step, at a chosen instant) takes the role and the
membership and ends the sessions, as a manager's revocation does, audited."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AuditEvent, utcnow
from bridge.directory.customers import import_customers
from bridge.keycloak.access import PARTNER_ROLE
from devstack.seed import DEMO_CUSTOMERS
from tests.support.oidc import authorization_code, browser_session, open_login_page, submit_login

PASSWORD = "Directory-Test-2026!"


def signed_in_partner(gateway, keycloak, test_env, number: str) -> str:
    """A person of customer `number` with access and a live Keycloak session; return the user id."""
    email = f"staff.{number}@apotheke.example"
    user_id = gateway.ensure_user(email, "Mia", "Klein", "de", {"customer_number": number}, email_verified=True)
    gateway.set_password(user_id, PASSWORD)
    gateway.add_member(gateway.ensure_organization(number, "Apotheke am Markt", "east"), user_id)
    gateway.grant_realm_role(user_id, PARTNER_ROLE)
    redirect_uri = test_env["PORTAL_URL"] + "/callback"
    browser = browser_session()
    response = submit_login(browser, open_login_page(browser, keycloak.url, "b2b-portal", redirect_uri), email, PASSWORD)
    assert authorization_code(response, redirect_uri), "the partner signs in before the import"
    return user_id


def test_a_customer_gone_from_the_directory_loses_access_after_the_grace_period(app, gateway, keycloak, test_env):
    number = f"99{secrets.randbelow(10**6):06d}"  # a customer of this test alone: its people are only ours
    directory = DEMO_CUSTOMERS.read_bytes()
    row = f"{number},Apotheke am Markt,DE,01067,east,manager.east@woundwo.example,de\n".encode()
    pattern = app.config["CUSTOMER_NUMBER_PATTERN"]
    with app.app_context():
        import_customers(session(), directory + row, pattern, config=app.config)
    user_id = signed_in_partner(gateway, keycloak, test_env, number)
    start = utcnow().replace(microsecond=0)
    with app.app_context():
        report = import_customers(session(), directory, pattern, full=True, config=app.config, now=start)
    assert [suspended[:2] for suspended in report.suspended] == [(number, "missing")]

    def end_access(at):
        with app.app_context():
            return app.test_cli_runner().invoke(args=["customers", "end-access", "--now", f"{at:%Y-%m-%dT%H:%M:%S%z}"])

    assert "access ended for 0 person(s)" in end_access(start + timedelta(days=13)).output
    assert PARTNER_ROLE in gateway.realm_roles(user_id) and gateway.user_sessions(user_id)
    assert "access ended for 1 person(s)" in end_access(start + timedelta(days=14)).output
    assert PARTNER_ROLE not in gateway.realm_roles(user_id)
    assert gateway.customer_members(number) == [] and gateway.user_sessions(user_id) == []
    with app.app_context():
        [revoked] = session().scalars(select(AuditEvent).where(AuditEvent.action == "revoked")).all()
    assert (revoked.actor, revoked.detail["keycloak_user_id"], revoked.detail["customer_number"]) == (
        "directory import", user_id, number)
