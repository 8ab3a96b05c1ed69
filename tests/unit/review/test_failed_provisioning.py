"""An approved account Keycloak will not take: the request says so in plain words, its manager is e-mailed,
corrects the name or address and tries again; the queue can be filtered to such requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, OutboxItem, OutboxKind, OutboxStatus, RequestStatus
from bridge.delivery.schedule import next_activation
from bridge.keycloak.access import PARTNER_ROLE
from bridge.keycloak.interface import KeycloakUnavailable
from tests.support.forms import VALID_REQUEST
from tests.support.manager import csrf_token
from tests.support.worker import run_outbox
from tests.unit.review.conftest import WEST, audit, post, stored

PROVISION = (OutboxKind.PROVISION,)
EMAIL = VALID_REQUEST["email"]


def approve_stored_as(app, west, request_id: int, **stored_values) -> None:
    """A request stored before the form checked names (or edited since), approved by its manager."""
    with app.app_context():
        request = session().get(AccessRequest, request_id)
        for name, value in stored_values.items():
            setattr(request, name, value)
        session().commit()
    assert post(west, f"/manage/requests/{request_id}/approve", confirmed="yes").status_code == 302


def failure_mails(mailbox) -> list:
    return [message for message in mailbox.to(WEST) if "Account not created" in message["Subject"]
            or "Konto nicht angelegt" in message["Subject"] or "Compte non créé" in message["Subject"]]


def test_a_name_keycloak_refuses_marks_the_request_and_tells_the_manager_in_plain_words(
        app, twin, mailbox, west, west_request):
    approve_stored_as(app, west, west_request, last_name="Durand <Fils>")
    assert run_outbox(app, kinds=PROVISION) == {"failed": 1}
    request = stored(app, west_request)
    assert request.status == RequestStatus.FAILED and request.provisioning_error == "name"
    assert ("system", "provisioning_failed") in audit(app)
    page = west.get(f"/manage/requests/{west_request}").get_data(as_text=True)
    assert 'id="provisioning-failed"' in page and "Correct the name and try again" in page
    assert "Activation e-mail scheduled" not in page
    run_outbox(app, kinds=(OutboxKind.MAIL,))
    [mail] = failure_mails(mailbox)
    assert mail["Subject"].startswith("Compte non créé")  # manager.west reads French (the directory says so)
    assert f"/manage/requests/{west_request}" in mail.get_body(("plain",)).get_content()


def test_the_manager_corrects_the_name_and_the_account_is_created_then_activated_at_the_next_0400(
        app, twin, west, west_request):
    approve_stored_as(app, west, west_request, last_name="Durand <Fils>")
    run_outbox(app, kinds=PROVISION)
    retried = post(west, f"/manage/requests/{west_request}/retry", first_name="Zoé", last_name="Durand",
                   email=EMAIL)
    assert retried.status_code == 302
    request = stored(app, west_request)
    assert request.status == RequestStatus.APPROVED and request.last_name == "Durand" and not request.provisioning_error
    assert run_outbox(app, kinds=PROVISION) == {"sent": 1}
    user = twin.find_user_by_email(EMAIL)
    assert user["lastName"] == "Durand" and PARTNER_ROLE in twin.realm_roles(user["id"])
    assert stored(app, west_request).activation_due_at == next_activation(request.updated_at, "Europe/Paris")
    assert (WEST, "retried") in audit(app)
    history = west.get(f"/manage/requests/{west_request}").get_data(as_text=True)
    assert "corrected and tried again by" in history and "Durand &lt;Fils&gt; → Durand" in history


def test_a_correction_keycloak_would_still_refuse_is_refused_with_the_fields_kept(app, west, west_request):
    approve_stored_as(app, west, west_request, last_name="Durand <Fils>")
    run_outbox(app, kinds=PROVISION)
    page = post(west, f"/manage/requests/{west_request}/retry", first_name="Zoé", last_name="Durand (Fils)",
                email=EMAIL)
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "Please use letters, spaces, hyphens and apostrophes only" in text and 'value="Durand (Fils)"' in text
    assert stored(app, west_request).status == RequestStatus.FAILED


def test_an_activation_due_while_the_account_is_missing_waits_for_the_retry(app, twin, west, west_request):
    approve_stored_as(app, west, west_request, last_name="Durand <Fils>")
    run_outbox(app, kinds=PROVISION)
    next_morning = stored(app, west_request).activation_due_at + timedelta(minutes=1)
    assert run_outbox(app, next_morning, (OutboxKind.ACTIVATION,)) == {"sent": 1}  # the item is done: nothing sent
    assert stored(app, west_request).activation_sent_at is None and twin.action_emails == []
    post(west, f"/manage/requests/{west_request}/retry", first_name="Zoé", last_name="Durand",
         email=EMAIL)
    run_outbox(app, kinds=PROVISION)
    due = stored(app, west_request).activation_due_at  # the next 04:00 after the retry
    with app.app_context():
        item = session().scalars(select(OutboxItem).where(OutboxItem.kind == OutboxKind.ACTIVATION)).one()
        assert item.status == OutboxStatus.PENDING and item.next_attempt_at == due and item.attempts == 0
    assert run_outbox(app, due, (OutboxKind.ACTIVATION,)) == {"sent": 1}
    assert len(twin.action_emails) == 1 and stored(app, west_request).activation_sent_at == due


def test_keycloak_unreachable_for_every_attempt_is_said_as_such(app, twin, west, west_request):
    assert post(west, f"/manage/requests/{west_request}/approve", confirmed="yes").status_code == 302
    app.config["OUTBOX_MAX_ATTEMPTS"] = 1
    twin.fail_next("ensure_organization", KeycloakUnavailable("connection refused"))
    assert run_outbox(app, kinds=PROVISION) == {"failed": 1}
    assert stored(app, west_request).provisioning_error == "unreachable"
    assert "Nothing needs correcting" in west.get(f"/manage/requests/{west_request}").get_data(as_text=True)


def test_the_queue_filters_to_accounts_not_created(app, west, west_request):
    approve_stored_as(app, west, west_request, last_name="Durand <Fils>")
    run_outbox(app, kinds=PROVISION)
    failed = west.get("/manage/?status=failed").get_data(as_text=True)
    assert f"/manage/requests/{west_request}" in failed and "Account not created" in failed
    assert f"/manage/requests/{west_request}" not in west.get("/manage/?status=approved").get_data(as_text=True)


@pytest.mark.parametrize("who", ["east", "no retry twice"])
def test_only_the_assigned_manager_retries_and_only_a_failed_request(app, west, east, west_request, who):
    approve_stored_as(app, west, west_request, last_name="Durand <Fils>")
    run_outbox(app, kinds=PROVISION)
    fields = {"first_name": "Zoé", "last_name": "Durand", "email": EMAIL}
    if who == "east":
        assert post(east, f"/manage/requests/{west_request}/retry", **fields).status_code == 404
        assert stored(app, west_request).status == RequestStatus.FAILED
    else:
        post(west, f"/manage/requests/{west_request}/retry", **fields)
        again = west.post(f"/manage/requests/{west_request}/retry", follow_redirects=True,
                          data={**fields, "csrf_token": csrf_token(west, "/manage/")})
        assert "already been retried" in again.get_data(as_text=True)
