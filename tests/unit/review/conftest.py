"""The review UI's fixtures: a pending request of region west, its manager and the other region's, a partner
already in Keycloak (the twin), and helpers to post forms and read what was stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, AuditEvent, OutboxItem
from bridge.keycloak.access import MANAGER_ROLE, PARTNER_ROLE
from tests.support.forms import submit_request
from tests.support.manager import csrf_token

WEST, EAST, ADMIN = "manager.west@woundwo.example", "manager.east@woundwo.example", "admin@woundwo.example"


@pytest.fixture
def west_request(app, client) -> int:
    """A pending request for customer 100001 (region west, manager.west)."""
    assert submit_request(client, "de", language="de").status_code == 302
    with app.app_context():
        return session().scalars(select(AccessRequest.id)).one()


@pytest.fixture
def west(reviewer_client):
    return reviewer_client(WEST, MANAGER_ROLE)


@pytest.fixture
def east(reviewer_client):
    return reviewer_client(EAST, MANAGER_ROLE)


def post(client, path: str, **data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/manage/")})


def stored(app, request_id: int) -> AccessRequest:
    with app.app_context():
        return session().get(AccessRequest, request_id)


def outbox_kinds(app) -> list[str]:
    with app.app_context():
        return sorted(session().scalars(select(OutboxItem.kind)))


def audit(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(event.actor, event.action) for event in session().scalars(select(AuditEvent).order_by(AuditEvent.id))]


def partner(twin, customer_number: str = "100001") -> str:
    organization_id = twin.ensure_organization(customer_number, "Pharmacie Centrale", "west")
    user_id = twin.ensure_user(f"p.{customer_number}@pharmacie-centrale.example", "Lou", "Brun", "fr",
                               {"customer_number": customer_number})
    twin.add_member(organization_id, user_id)
    twin.grant_realm_role(user_id, PARTNER_ROLE)
    twin.start_session(user_id)
    return user_id
