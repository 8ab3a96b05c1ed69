"""The 04:00 activation's decisions: send, "already active" notice, skip, wait, catch up, the crash gap."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, AuditEvent, OutboxItem, OutboxKind, OutboxStatus, utcnow
from bridge.delivery import outbox
from bridge.keycloak.access import PARTNER_ROLE
from bridge.keycloak.interface import KeycloakUnavailable
from tests.support.worker import run_outbox
from tests.unit.delivery.conftest import DECIDED

ACTIVATION = (OutboxKind.ACTIVATION,)
EMAIL = "lou.brun@pharmacie-centrale.example"



def actions(app, request_id) -> list[str]:
    with app.app_context():
        return list(session().scalars(select(AuditEvent.action).where(AuditEvent.request_id == request_id)
                                      .order_by(AuditEvent.id)))


def test_nothing_before_0400_then_one_set_password_email_valid_for_days(app, twin, due):
    request_id, at = due
    assert at.hour == 3 and at.date() == DECIDED.date() + timedelta(days=1)  # 04:00 Paris in December
    assert run_outbox(app, at - timedelta(minutes=1), ACTIVATION) == {}
    assert run_outbox(app, at, ACTIVATION) == {"sent": 1}
    [mail] = twin.action_emails
    assert mail.email == EMAIL and mail.lifespan_seconds == 7 * 86400
    assert mail.client_id == "b2b-portal" and mail.redirect_uri == "http://portal.test/"
    assert actions(app, request_id)[-1] == "activation_sent"
    assert run_outbox(app, at + timedelta(days=1), ACTIVATION) == {}
    assert len(twin.action_emails) == 1


def test_a_person_who_already_set_a_password_gets_the_access_active_notice_instead(app, twin, mailbox, due):
    request_id, at = due
    twin.set_password(twin.find_user_by_email(EMAIL)["id"], "Chose-Myself-2026!")
    assert run_outbox(app, at, ACTIVATION) == {"sent": 1}
    assert twin.action_emails == []
    [notice] = mailbox.to(EMAIL)
    assert notice["From"].addresses[0].addr_spec == "noreply@woundwo.com"
    assert "aktiv" in notice["Subject"].lower()
    assert actions(app, request_id)[-1] == "activation_notice"


@pytest.mark.parametrize("change, reason", [("disable", "account disabled"), ("revoke", "access revoked"),
                                            ("delete", "account deleted")])
def test_a_person_disabled_revoked_or_deleted_meanwhile_is_skipped_with_the_reason(app, twin, due, change, reason):
    request_id, at = due
    user_id = twin.find_user_by_email(EMAIL)["id"]
    {"disable": lambda: twin.set_enabled(user_id, False),
     "revoke": lambda: twin.revoke_access(user_id, "100001", PARTNER_ROLE),
     "delete": lambda: twin.delete_user(user_id)}[change]()
    assert run_outbox(app, at, ACTIVATION) == {"sent": 1}
    assert twin.action_emails == []
    with app.app_context():
        event = session().scalars(select(AuditEvent).where(AuditEvent.action == "activation_skipped")).one()
        assert session().get(AccessRequest, request_id).activation_sent_at == at
    assert event.detail["reason"] == reason


def test_the_activation_waits_for_provisioning(app, twin, approved):
    request_id = approved()
    with app.app_context():
        at = session().get(AccessRequest, request_id).activation_due_at
    assert run_outbox(app, at, ACTIVATION) == {"pending": 1}
    run_outbox(app, at, (OutboxKind.PROVISION,))
    assert run_outbox(app, at + outbox.backoff(1), ACTIVATION) == {"sent": 1}
    assert len(twin.action_emails) == 1


def test_a_worker_back_after_days_of_downtime_catches_up_once(app, twin, due):
    _, at = due
    assert run_outbox(app, at + timedelta(days=3), ACTIVATION) == {"sent": 1}
    assert len(twin.action_emails) == 1


def test_a_claim_left_by_a_worker_that_died_after_keycloak_sent_is_recorded_without_a_second_email(app, twin, due):
    request_id, at = due
    user_id = twin.find_user_by_email(EMAIL)["id"]
    # The dead worker: it claimed the row and Keycloak sent the e-mail, but nothing was committed after.
    with app.app_context():
        assert outbox.claim_due(session(), at, kinds=ACTIVATION)
    twin.clock_ms = lambda: int(at.timestamp() * 1000) + 500
    twin.send_set_password_email(user_id, 7 * 86400, "b2b-portal", "http://portal.test/")
    assert run_outbox(app, at + timedelta(minutes=1), ACTIVATION) == {}, "a live claim is left alone"
    after_the_lease = lambda: utcnow() + outbox.CLAIM_LEASE + timedelta(seconds=1)  # noqa: E731
    assert run_outbox(app, at + timedelta(minutes=2), ACTIVATION, clock=after_the_lease) == {"sent": 1}
    assert len(twin.action_emails) == 1
    with app.app_context():
        assert session().get(AccessRequest, request_id).activation_sent_at is not None
        item = session().scalars(select(OutboxItem).where(OutboxItem.kind == OutboxKind.ACTIVATION)).one()
    assert item.status == OutboxStatus.SENT


def calls_for_activations(app, twin, approved, count: int) -> list[str]:
    """The Keycloak calls the worker makes to activate `count` provisioned people (their first attempt)."""
    for index in range(count):
        approved(f"person.{index}@pharmacie-centrale.example")
    run_outbox(app, DECIDED, (OutboxKind.PROVISION,))
    twin.calls.clear()
    assert run_outbox(app, DECIDED + timedelta(days=2), ACTIVATION) == {"sent": count}
    assert len(twin.action_emails) == count
    return list(twin.calls)


def test_a_first_attempt_makes_three_keycloak_calls_and_does_not_ask_the_admin_events(app, twin, approved):
    # Roles (a 404 says deleted), password set or not, the e-mail. Earlier versions made five calls, also
    # reading the account and the admin events for every row.
    calls = calls_for_activations(app, twin, approved, 4)
    assert calls == ["realm_roles", "has_password", "send_set_password_email"] * 4


def test_a_row_tried_before_asks_the_admin_events_and_sends_nothing_twice(app, twin, due):
    request_id, at = due
    twin.clock_ms = lambda: int(at.timestamp() * 1000)
    real_send = twin.send_set_password_email

    def sends_then_times_out(*args):
        real_send(*args)  # Keycloak sent the e-mail, but its answer never reached the worker
        twin.send_set_password_email = real_send
        raise KeycloakUnavailable("read timed out")

    twin.send_set_password_email = sends_then_times_out
    assert run_outbox(app, at, ACTIVATION) == {"pending": 1}
    twin.calls.clear()
    assert run_outbox(app, at + outbox.backoff(1), ACTIVATION) == {"sent": 1}
    assert twin.calls == ["realm_roles", "set_password_email_sent_since"]
    assert len(twin.action_emails) == 1
    assert actions(app, request_id)[-1] == "activation_sent"
