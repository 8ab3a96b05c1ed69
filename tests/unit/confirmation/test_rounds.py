"""The yearly confirmation's timeline at chosen instants: who is asked, the reminder after 30 days, the regional
managers told after 60, and, where set, the end of access of the people nobody confirmed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bridge.confirmation import answers, rounds
from bridge.core.db import session
from bridge.core.settings import ConfigurationError
from bridge.delivery.cli import PERIODIC
from bridge.core.models import AccessRequest, AuditEvent, ConfirmationRound
from bridge.keycloak.access import MANAGER_ROLE, PARTNER_ROLE
from bridge.keycloak.interface import KeycloakUnavailable
from bridge.review.service import Reviewer, revoke
from tests.support.worker import run_outbox
from tests.unit.confirmation.conftest import START, answers_of, start_round, step
from tests.unit.review.conftest import EAST, WEST
from tests.unit.team.conftest import ADMIN_EMAIL, COLLEAGUE_EMAIL, EAST_EMAIL

DAY = timedelta(days=1)


def delivered(app, mailbox, now) -> None:
    run_outbox(app, now, kinds=("mail",))


def test_a_round_asks_each_team_admin_and_the_manager_of_customers_without_one(app, twin, mailbox, people):
    start_round(app)
    delivered(app, mailbox, START)
    [to_admin] = mailbox.to(ADMIN_EMAIL)  # Inès reads French (her Keycloak locale)
    assert to_admin["Subject"].startswith("Qui travaille encore chez Pharmacie Centrale")
    assert "http://bridge.test/team/confirm?lang=fr" in to_admin.get_body(("plain",)).get_content()
    [to_east] = mailbox.to(EAST)  # customer 100002 has no team admin: its manager, in the directory's language
    body = to_east.get_body(("plain",)).get_content()
    assert "Sanitätshaus Berger GmbH (100002)" in body and "http://bridge.test/manage/confirmations?lang=de" in body
    assert mailbox.to(WEST) == [] and mailbox.to(COLLEAGUE_EMAIL) == []
    assert answers_of(app) == {people[ADMIN_EMAIL]: "", people[COLLEAGUE_EMAIL]: "", people[EAST_EMAIL]: ""}


def test_no_reminder_before_30_days_one_after_and_only_for_lists_not_fully_answered(app, twin, mailbox, people):
    start_round(app)
    assert step(app, START + 30 * DAY - timedelta(minutes=1)) == {"started": 0, "reminded": 0, "escalated": 0, "ended": 0}
    with app.app_context():  # the manager ended the east partner's access in the meantime
        revoke(session(), twin, app.extensions["bridge.broadcast"], Reviewer(EAST, "East", frozenset({MANAGER_ROLE})),
               people[EAST_EMAIL], "left", START + DAY, "")
    assert answers_of(app)[people[EAST_EMAIL]] == "ended", "ending access anywhere closes the person's entry"
    delivered(app, mailbox, START)
    mailbox.messages.clear()
    assert step(app, START + 30 * DAY + timedelta(minutes=1))["reminded"] == 1, "100001 only: 100002 has nobody left"
    assert step(app, START + 31 * DAY)["reminded"] == 0, "one reminder, not one per round"
    delivered(app, mailbox, START + 31 * DAY)
    [reminder] = mailbox.messages
    assert reminder["To"] == ADMIN_EMAIL and reminder["Subject"].startswith("Rappel")


def test_after_60_days_the_manager_is_told_and_the_unconfirmed_keep_access_by_default(app, twin, mailbox, people):
    start_round(app)
    assert step(app, START + 60 * DAY - timedelta(minutes=1)) == {"started": 0, "reminded": 2, "escalated": 0, "ended": 0}
    assert step(app, START + 60 * DAY) == {"started": 0, "reminded": 0, "escalated": 2, "ended": 0}
    delivered(app, mailbox, START + 60 * DAY)
    [to_west] = mailbox.to(WEST)  # customer 100001 has a team admin: its manager hears of it only now
    body = to_west.get_body(("plain",)).get_content()
    assert "Pharmacie Centrale (100001): 2" in body and "conservent leur accès" in body
    assert PARTNER_ROLE in twin.realm_roles(people[COLLEAGUE_EMAIL])
    assert step(app, START + 61 * DAY)["escalated"] == 0, "the round is over"


def test_where_set_the_people_nobody_confirmed_lose_access_when_the_manager_is_told(make_bridge, twin, mailbox, people):
    app = make_bridge(CONFIRMATION_END_UNCONFIRMED=True)
    start_round(app)
    with app.app_context():
        confirmation = answers.current(session(), "100001")
        answers.answer(session(), confirmation, {people[ADMIN_EMAIL]: "confirmed"}, ADMIN_EMAIL, START + DAY, "",
                       remove=lambda user_id: pytest.fail("nobody removed"))
    assert step(app, START + 60 * DAY)["ended"] == 2
    assert PARTNER_ROLE in twin.realm_roles(people[ADMIN_EMAIL]), "confirmed: keeps access"
    assert PARTNER_ROLE not in twin.realm_roles(people[COLLEAGUE_EMAIL]) and twin.customer_members("100002") == []
    assert answers_of(app) == {people[ADMIN_EMAIL]: "confirmed", people[COLLEAGUE_EMAIL]: "ended",
                               people[EAST_EMAIL]: "ended"}
    with app.app_context():
        ended = session().scalars(select(AuditEvent).where(AuditEvent.action == "revoked")).all()
    assert {(event.actor, event.detail["via"]) for event in ended} == {("yearly confirmation", "confirmation")}
    delivered(app, mailbox, START + 60 * DAY)
    [to_east] = [mail for mail in mailbox.to(EAST) if "unbestätigt" in mail["Subject"]]
    body = to_east.get_body(("plain",)).get_content()
    assert "Sanitätshaus Berger GmbH (100002): 1" in body and "ist ihr Zugang beendet" in body


def paris(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.utc) - timedelta(hours=1)  # winter time in Paris


def test_the_scheduled_round_starts_on_its_day_once_a_year(make_bridge, people):
    app = make_bridge(CONFIRMATION_DAY="01-15")
    assert step(app, paris(2027, 1, 14, 23))["started"] == 0
    assert step(app, paris(2027, 1, 15, 0))["started"] == 1
    assert step(app, paris(2027, 1, 15, 1))["started"] == 0
    assert step(app, paris(2027, 6, 1, 9))["started"] == 0, "over, but this year's round has been"
    assert step(app, paris(2028, 1, 15, 0))["started"] == 1
    with app.app_context():
        assert list(session().scalars(select(ConfirmationRound.key).order_by(ConfirmationRound.id))) == ["2027", "2028"]


def test_without_a_day_only_an_operator_starts_a_round_and_not_while_one_runs(app, people):
    assert step(app, paris(2027, 1, 15, 9))["started"] == 0

    def command(*args: str):
        with app.app_context():
            return app.test_cli_runner().invoke(args=["confirmations", *args])

    started = command("start", "--now", "2027-02-01T09:00")
    assert started.exit_code == 0 and "round 1 started, 2 customer lists" in started.output, started.output
    again = command("start", "--now", "2027-02-20T09:00")
    assert again.exit_code == 1 and "the round started on 2027-02-01 is still running" in again.output
    assert "'escalated': 2" in command("follow-up", "--now", "2027-04-02T09:00").output
    assert command("start", "--now", "2027-04-03T09:00").exit_code == 0


def test_a_bad_day_setting_is_refused_at_start(make_bridge):
    with pytest.raises(ConfigurationError, match="BRIDGE_CONFIRMATION_DAY='02-30': expected a day of the year as MM-DD"):
        make_bridge(CONFIRMATION_DAY="02-30")


def test_two_workers_start_the_same_round_once(make_bridge, people):
    app = make_bridge(CONFIRMATION_DAY="01-15")
    with app.app_context():
        key = rounds.scheduled_key(session(), paris(2027, 1, 15, 9), app.config)
    start_round(app, paris(2027, 1, 15, 9), key)
    with pytest.raises(rounds.RoundRunning):
        start_round(app, paris(2027, 1, 15, 9), key)


def test_the_worker_runs_the_step_and_waits_for_the_next_round_when_keycloak_is_down(make_bridge, twin, people):
    app = make_bridge(CONFIRMATION_DAY="01-15")
    assert rounds.worker_round in app.extensions[PERIODIC]
    twin.down = True
    with app.app_context():
        assert rounds.worker_round(paris(2027, 1, 15, 9)) == {}
    twin.down = False
    with app.app_context():
        assert rounds.worker_round(paris(2027, 1, 15, 9))["started"] == 1


def test_when_keycloak_cannot_list_the_partners_the_lists_hold_those_the_bridge_approved(app, twin, people):
    """At 100,000 partners Keycloak's role listing does not finish within the worker's deadline."""
    with app.app_context():
        session().add(AccessRequest(
            customer_number="100001", company="Pharmacie Centrale", first_name="Lou", last_name="Brun",
            email=COLLEAGUE_EMAIL, language="fr", privacy_consent_at=START, assigned_manager_email=WEST,
            status="approved", keycloak_user_id=people[COLLEAGUE_EMAIL]))
        session().commit()
    twin.fail_next("role_members", KeycloakUnavailable("the listing timed out"))
    start_round(app)
    assert answers_of(app) == {people[COLLEAGUE_EMAIL]: ""}
