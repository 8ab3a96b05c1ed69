"""The rules of submitting an account request, on the Keycloak twin and in-memory SQLite."""

from __future__ import annotations

from sqlalchemy import func, select

from bridge.core.db import session
from bridge.core.models import AccessRequest, OutboxItem, OutboxKind, RequestStatus
from bridge.keycloak.access import PARTNER_ROLE
from bridge.keycloak.interface import KeycloakUnavailable
from tests.support.forms import VALID_REQUEST, submit_request

EMAIL = VALID_REQUEST["email"]


def count(app, model) -> int:
    with app.app_context():
        return session().scalar(select(func.count()).select_from(model))


def test_an_accepted_request_is_stored_for_the_customers_manager_and_its_mails_wait_in_the_outbox(app, client, mailbox):
    response = submit_request(client, "fr")
    assert response.status_code == 302 and "/request-access/sent" in response.headers["Location"]
    with app.app_context():
        request = session().scalars(select(AccessRequest)).one()
        kinds = session().scalars(select(OutboxItem.kind)).all()
        keys = session().scalars(select(OutboxItem.idempotency_key)).all()
    assert request.status == RequestStatus.PENDING and request.customer_number == "100001"
    assert request.email == EMAIL and request.assigned_manager_email == "manager.west@woundwo.example"
    assert kinds == [OutboxKind.MAIL, OutboxKind.MAIL]
    assert sorted(keys) == [f"request:{request.id}:manager-notification", f"request:{request.id}:receipt"]
    assert mailbox.messages == [], "nothing is sent before the worker delivers the outbox"


def test_a_customer_number_not_in_the_directory_stores_nothing(app, client):
    response = submit_request(client, "en", customer_number="999 999")
    assert response.status_code == 400 and "customer number" in response.get_data(as_text=True).lower()
    assert count(app, AccessRequest) == 0


def test_an_address_that_already_has_access_is_sent_to_forgot_password(app, client, twin):
    user_id = twin.ensure_user(EMAIL, "Zoé", "Durand", "fr", {"customer_number": "100001"})
    twin.grant_realm_role(user_id, PARTNER_ROLE)
    response = submit_request(client, "en", email=EMAIL.upper())
    assert response.status_code == 400 and "reset-credentials" in response.get_data(as_text=True)
    assert count(app, AccessRequest) == 0


def test_an_account_without_a_b2b_role_may_still_ask(app, client, twin):
    twin.ensure_user(EMAIL, "Zoé", "Durand", "fr", {})
    assert submit_request(client, "en").status_code == 302
    assert count(app, AccessRequest) == 1


def test_a_second_request_for_a_pending_address_stores_nothing_new(app, client):
    assert submit_request(client, "en").status_code == 302
    again = submit_request(client, "en", email=" Zoe.Durand@Pharmacie-Centrale.example ")
    assert again.status_code == 409
    assert count(app, AccessRequest) == 1 and count(app, OutboxItem) == 2


def test_keycloak_down_does_not_lose_the_request(app, client, twin):
    twin.fail_next("find_user_by_email", KeycloakUnavailable("down"))
    assert submit_request(client, "en").status_code == 302
    assert count(app, AccessRequest) == 1


def test_a_customer_without_manager_goes_to_the_fallback_address(app, client):
    with app.app_context():
        from bridge.core.models import Customer
        session().get(Customer, "100001").manager_email = None
        session().commit()
    assert submit_request(client, "en").status_code == 302
    with app.app_context():
        request = session().scalars(select(AccessRequest)).one()
    assert request.assigned_manager_email == app.config["FALLBACK_MANAGER_EMAIL"]


def test_the_honeypot_pretends_success_and_stores_nothing(app, client):
    response = submit_request(client, "en", leave_empty="http://spam.example")
    assert response.status_code == 302
    assert count(app, AccessRequest) == 0 and count(app, OutboxItem) == 0
