"""Provisioning after an approval: idempotent, retried after an outage, failed for good on a refusal."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, AuditEvent, OutboxItem, OutboxKind, OutboxStatus
from bridge.delivery.provisioning import provision
from bridge.keycloak.access import PARTNER_ROLE
from bridge.keycloak.interface import KeycloakRefused, KeycloakUnavailable
from tests.support.worker import run_outbox
from tests.unit.delivery.conftest import DECIDED

PROVISION = (OutboxKind.PROVISION,)


def provisioned_audits(app) -> int:
    with app.app_context():
        return len(session().scalars(select(AuditEvent).where(AuditEvent.action == "provisioned")).all())


def test_provisioning_creates_organization_account_membership_and_role(app, twin, approved):
    request_id = approved()
    assert run_outbox(app, DECIDED, PROVISION) == {"sent": 1}
    user = twin.find_user_by_email("lou.brun@pharmacie-centrale.example")
    assert user["attributes"]["customer_number"] == ["100001"] and user["attributes"]["locale"] == ["de"]
    assert PARTNER_ROLE in twin.realm_roles(user["id"])
    assert [member["id"] for member in twin.customer_members("100001")] == [user["id"]]
    assert twin.find_organization("100001")["attributes"]["company_name"] == ["Pharmacie Centrale"]
    with app.app_context():
        assert session().get(AccessRequest, request_id).keycloak_user_id == user["id"]
    assert provisioned_audits(app) == 1


def test_provisioning_twice_converges_on_one_account_and_one_audit_entry(app, twin, approved):
    request_id = approved()
    with app.app_context():
        for _ in range(2):
            provision(session(), twin, app.extensions["bridge.broadcast"], {"request_id": request_id}, DECIDED)
            session().commit()
    assert len(twin.customer_members("100001")) == 1
    assert provisioned_audits(app) == 1


def test_an_existing_account_with_that_address_is_reused(app, twin, approved):
    existing = twin.ensure_user("lou.brun@pharmacie-centrale.example", "Lou", "Brun", "fr", {})
    request_id = approved()
    run_outbox(app, DECIDED, PROVISION)
    with app.app_context():
        assert session().get(AccessRequest, request_id).keycloak_user_id == existing


def test_an_outage_part_way_is_retried_after_the_backoff_and_completes(app, twin, approved):
    request_id = approved()
    twin.fail_next("add_member", KeycloakUnavailable("connection refused"))
    assert run_outbox(app, DECIDED, PROVISION) == {"pending": 1}
    with app.app_context():
        assert session().get(AccessRequest, request_id).keycloak_user_id is None, "nothing of the failed try is kept"
    assert run_outbox(app, DECIDED + timedelta(seconds=29), PROVISION) == {}
    assert run_outbox(app, DECIDED + timedelta(seconds=30), PROVISION) == {"sent": 1}
    assert len(twin.customer_members("100001")) == 1


def test_a_refusal_fails_for_good_and_is_shown(app, twin, approved):
    approved()
    twin.fail_next("ensure_user", KeycloakRefused("Keycloak refused the request (400)", 400))
    assert run_outbox(app, DECIDED, PROVISION) == {"failed": 1}
    with app.app_context():
        item = session().scalars(select(OutboxItem).where(OutboxItem.kind == OutboxKind.PROVISION)).one()
    assert item.status == OutboxStatus.FAILED and item.last_error.startswith("permanent")


def test_a_person_checked_before_provisioning_is_known_right_after_it(app, approved):
    approved()
    check = lambda: app.test_client().post(  # noqa: E731
        "/api/v1/email-status", json={"email": "lou.brun@pharmacie-centrale.example"}).json
    assert check() == {"status": "unknown"}  # and cached for 20 s
    run_outbox(app, DECIDED, PROVISION)
    assert check() == {"status": "known"}
