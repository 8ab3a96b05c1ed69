"""A request nobody decides reminds its manager after N working days of the customer's country, once per
N working days, in the manager's language, and expires after K days with a kind word to the requester;
decided requests never do either."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, OutboxItem, RequestStatus, utcnow
from bridge.delivery import follow_up
from bridge.delivery.schedule import working_days_later
from tests.support.worker import run_outbox

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)


@pytest.mark.parametrize("start, country, expected", [
    (datetime(2026, 12, 4, 15, 0, tzinfo=PARIS), "FR", datetime(2026, 12, 8, 15, 0, tzinfo=PARIS)),  # over a weekend
    (datetime(2026, 12, 24, 10, 0, tzinfo=PARIS), "FR", datetime(2026, 12, 29, 10, 0, tzinfo=PARIS)),  # Christmas
    (datetime(2026, 5, 13, 10, 0, tzinfo=PARIS), "DE", datetime(2026, 5, 18, 10, 0, tzinfo=PARIS)),  # Ascension
    (datetime(2026, 5, 13, 10, 0, tzinfo=PARIS), "XX", datetime(2026, 5, 15, 10, 0, tzinfo=PARIS)),  # unknown: weekends
])
def test_working_days_skip_weekends_and_the_countrys_public_holidays(start, country, expected):
    assert working_days_later(start, 2, country, "Europe/Paris") == expected.astimezone(timezone.utc)


def pending(app, created_at: datetime, customer_number: str = "100001", language: str = "fr") -> int:
    with app.app_context():
        request = AccessRequest(
            customer_number=customer_number, company="Pharmacie Centrale", first_name="Zoé", last_name="Durand",
            email="zoe.durand@pharmacie-centrale.example", language=language, privacy_consent_at=created_at,
            assigned_manager_email="manager.west@woundwo.example", created_at=created_at, updated_at=created_at)
        session().add(request)
        session().commit()
        return request.id


def queue(app, now: datetime) -> int:
    """The reminders queued by one follow-up pass at `now`."""
    with app.app_context():
        return follow_up.follow_up(session(), now, app.config)["reminded"]


def test_one_reminder_after_two_working_days_then_one_per_two_more(app, mailbox):
    request_id = pending(app, MONDAY)
    assert queue(app, MONDAY + timedelta(days=2) - timedelta(minutes=1)) == 0
    assert queue(app, MONDAY + timedelta(days=2)) == 1
    assert queue(app, MONDAY + timedelta(days=3)) == 0, "never twice for the same interval"
    run_outbox(app, kinds=("mail",))
    [reminder] = mailbox.to("manager.west@woundwo.example")
    assert reminder["Subject"].startswith("Rappel")  # the directory says manager.west reads French
    body = reminder.get_body(("plain",)).get_content()
    assert "2 jours ouvrés" in body and f"http://bridge.test/manage/requests/{request_id}" in body
    assert queue(app, MONDAY + timedelta(days=4)) == 1  # Friday: two more working days


def test_decided_requests_and_a_zero_setting_remind_nobody(app):
    request_id = pending(app, MONDAY)
    app.config["REMINDER_WORKING_DAYS"] = 0
    assert queue(app, MONDAY + timedelta(days=30)) == 0
    app.config["REMINDER_WORKING_DAYS"] = 2
    with app.app_context():
        session().get(AccessRequest, request_id).status = RequestStatus.REJECTED
        session().commit()
    assert queue(app, MONDAY + timedelta(days=30)) == 0


def test_the_worker_looks_for_due_reminders(app):
    pending(app, utcnow() - timedelta(days=10))
    with app.app_context():  # as `flask --app bridge worker --once` runs it
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        keys = session().scalars(select(OutboxItem.idempotency_key)).all()
    assert [key for key in keys if ":reminder:" in key]


@pytest.mark.parametrize("language, waited", [("fr", "30 jours"), ("de", "30 Tage"), ("en", "30 days")])
def test_after_30_days_the_request_expires_the_requester_is_told_kindly_and_may_ask_again(app, client, mailbox,
                                                                                          language, waited):
    from tests.support.forms import submit_request
    request_id = pending(app, MONDAY, language=language)
    with app.app_context():
        assert follow_up.follow_up(session(), MONDAY + timedelta(days=30) - timedelta(minutes=1),
                                   app.config)["expired"] == 0
        assert follow_up.follow_up(session(), MONDAY + timedelta(days=30), app.config)["expired"] == 1
        assert follow_up.follow_up(session(), MONDAY + timedelta(days=31), app.config)["expired"] == 0
    assert stored_status(app, request_id) == RequestStatus.EXPIRED
    run_outbox(app, kinds=("mail",))
    [told] = mailbox.to("zoe.durand@pharmacie-centrale.example")
    text = told.get_body(("plain",)).get_content()
    assert waited in text and f"http://bridge.test/request-access?lang={language}" in text
    assert f"/help?lang={language}" in text
    [notice] = [mail for mail in mailbox.to("manager.west@woundwo.example") if "expir" in mail["Subject"].lower()]
    assert f"/manage/requests/{request_id}" in notice.get_body(("plain",)).get_content()
    assert submit_request(client, "fr").status_code == 302, "an expired request no longer blocks a new one"


def test_a_decision_comes_first_and_nothing_expires(app):
    request_id = pending(app, MONDAY)
    with app.app_context():
        session().get(AccessRequest, request_id).status = RequestStatus.APPROVED
        session().commit()
        assert follow_up.follow_up(session(), MONDAY + timedelta(days=60), app.config) == {"expired": 0, "escalated": 0, "reminded": 0}


def stored_status(app, request_id: int) -> str:
    with app.app_context():
        return session().get(AccessRequest, request_id).status


def test_an_operator_runs_the_follow_up_for_a_chosen_instant(app):
    request_id = pending(app, MONDAY)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["requests", "follow-up", "--now", "2026-12-14T09:30+01:00"])
    assert result.exit_code == 0, result.output
    assert "as of 2026-12-14T09:30:00+01:00: {'expired': 0, 'escalated': 1, 'reminded': 1}" in result.output
    assert stored_status(app, request_id) == RequestStatus.PENDING
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["requests", "follow-up", "--now", "next monday"])
    assert result.exit_code == 2 and "Invalid value for '--now'" in result.output


def test_the_worker_delivers_what_is_due_before_its_periodic_rounds(app, client):
    """A round may take long (the privacy round lists every partner in Keycloak): the e-mails people wait for
    go out first."""
    from bridge.delivery.cli import PERIODIC
    from tests.support.forms import submit_request
    assert submit_request(client, "fr").status_code == 302
    seen_by_the_round: list[list[str]] = []

    def round_(now):
        with app.app_context():
            seen_by_the_round.append(list(session().scalars(select(OutboxItem.status))))

    app.extensions[PERIODIC] = [round_]
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert seen_by_the_round == [["sent", "sent"]], "the request's two e-mails were out before the round began"
