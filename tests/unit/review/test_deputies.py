"""No request waits for an absent manager: after M working days it is escalated to a deputy (the directory's,
else the one named for an absence, else the fallback manager), who may decide it as the manager can; a manager
away for a while names a deputy in the review UI. The history says who decided and in which role."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bridge.core.db import session
from bridge.core.models import AccessRequest, Absence, AuditEvent, Customer, OutboxItem, utcnow
from bridge.delivery import follow_up
from bridge.keycloak.access import MANAGER_ROLE
from tests.support.worker import run_outbox
from tests.unit.review.conftest import EAST, WEST, post, stored

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)
DEPUTY = "deputy.west@woundwo.example"


def received_at(app, request_id: int, moment: datetime) -> None:
    with app.app_context():
        session().execute(update(AccessRequest).where(AccessRequest.id == request_id).values(created_at=moment))
        session().commit()


def directory_deputy(app, deputy: str | None, number: str = "100001") -> None:
    with app.app_context():
        session().get(Customer, number).deputy_email = deputy
        session().commit()


def escalate(app, now: datetime) -> int:
    with app.app_context():
        return follow_up.follow_up(session(), now, app.config)["escalated"]


def roles_of_decisions(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(event.actor, event.action, event.detail.get("role")) for event in session().scalars(
            select(AuditEvent).where(AuditEvent.action.in_(("approved", "rejected"))))]


def test_after_five_working_days_the_directorys_deputy_is_told_once(app, west_request, mailbox):
    directory_deputy(app, DEPUTY)
    received_at(app, west_request, MONDAY)
    assert escalate(app, MONDAY + timedelta(days=7) - timedelta(minutes=1)) == 0  # Monday to Monday: 5 working days
    assert escalate(app, MONDAY + timedelta(days=7)) == 1
    assert escalate(app, MONDAY + timedelta(days=8)) == 0, "never twice"
    escalated = stored(app, west_request)
    assert escalated.escalated_to == DEPUTY and escalated.assigned_manager_email == WEST
    run_outbox(app, kinds=("mail",))
    [mail] = mailbox.to(DEPUTY)
    body = mail.get_body(("plain",)).get_content()
    assert "5 jours ouvrés" in body and WEST in body  # the directory says region west reads French
    assert f"http://bridge.test/manage/requests/{west_request}" in body


def test_the_deputy_sees_the_request_only_once_escalated_and_decides_it_as_deputy(app, west_request,
                                                                                    reviewer_client):
    directory_deputy(app, DEPUTY)
    deputy = reviewer_client(DEPUTY, MANAGER_ROLE)
    assert deputy.get(f"/manage/requests/{west_request}").status_code == 404
    received_at(app, west_request, MONDAY)
    escalate(app, MONDAY + timedelta(days=7))
    page = deputy.get(f"/manage/requests/{west_request}")
    assert page.status_code == 200 and 'id="as-deputy"' in page.text
    assert f"/manage/requests/{west_request}" in deputy.get("/manage/").text
    assert post(deputy, f"/manage/requests/{west_request}/approve", confirmed="yes").status_code == 302
    assert stored(app, west_request).decided_by == DEPUTY
    assert roles_of_decisions(app) == [(DEPUTY, "approved", "deputy")]
    assert "approved by deputy.west@woundwo.example (as deputy)" in deputy.get(f"/manage/requests/{west_request}").text


def test_without_a_deputy_the_fallback_manager_is_asked_and_the_manager_keeps_deciding(app, west_request, west):
    received_at(app, west_request, MONDAY)
    assert escalate(app, MONDAY + timedelta(days=7)) == 1
    assert stored(app, west_request).escalated_to == "b2b-team@woundwo.example"
    assert post(west, f"/manage/requests/{west_request}/reject", reason="Unknown to us").status_code == 302
    assert roles_of_decisions(app) == [(WEST, "rejected", "manager")]


def test_a_request_already_with_the_fallback_manager_is_not_escalated_to_itself(app, west_request):
    with app.app_context():
        session().execute(update(AccessRequest).values(assigned_manager_email="b2b-team@woundwo.example"))
        session().commit()
    received_at(app, west_request, MONDAY)
    assert escalate(app, MONDAY + timedelta(days=30) - timedelta(hours=1)) == 0


def test_weekends_and_public_holidays_do_not_count(app, west_request):
    directory_deputy(app, DEPUTY)
    christmas_eve = datetime(2026, 12, 24, 10, 0, tzinfo=PARIS)  # Thursday; 25th a holiday, then a weekend
    received_at(app, west_request, christmas_eve)
    # Working days: 28, 29, 30, 31 December, then 4 January (1 January is a holiday, then a weekend).
    assert escalate(app, datetime(2027, 1, 4, 9, 59, tzinfo=PARIS)) == 0
    assert escalate(app, datetime(2027, 1, 4, 10, 0, tzinfo=PARIS)) == 1


def test_zero_working_days_escalates_nothing(make_bridge):
    bridge = make_bridge(ESCALATION_WORKING_DAYS=0)
    with bridge.app_context():
        assert follow_up.follow_up(session(), utcnow() + timedelta(days=29), bridge.config)["escalated"] == 0


def name_deputy(client, deputy: str, first: date, last: date):
    return post(client, "/manage/absences", deputy_email=deputy, first_day=first.isoformat(),
                last_day=last.isoformat())


def test_a_manager_names_a_deputy_for_an_absence_who_then_decides_as_absence_deputy(app, west_request, west, east,
                                                                                      mailbox):
    today = utcnow().astimezone(PARIS).date()
    assert east.get(f"/manage/requests/{west_request}").status_code == 404
    assert name_deputy(west, EAST, today, today + timedelta(days=10)).status_code == 302
    assert EAST in west.get("/manage/absences").text
    page = east.get(f"/manage/requests/{west_request}")
    assert page.status_code == 200 and 'id="as-deputy"' in page.text
    run_outbox(app, kinds=("mail",))
    [told] = mailbox.to(EAST)
    assert WEST in told.get_body(("plain",)).get_content() and "Stellvertret" in told["Subject"]  # east reads German
    assert post(east, f"/manage/requests/{west_request}/approve", confirmed="yes").status_code == 302
    assert roles_of_decisions(app) == [(EAST, "approved", "absence-deputy")]


def test_an_absence_counts_only_on_its_days(app, west_request, west, east):
    today = utcnow().astimezone(PARIS).date()
    name_deputy(west, EAST, today + timedelta(days=3), today + timedelta(days=5))
    assert east.get(f"/manage/requests/{west_request}").status_code == 404
    with app.app_context():
        session().execute(update(Absence).values(first_day=today - timedelta(days=5), last_day=today - timedelta(days=1)))
        session().commit()
    assert east.get(f"/manage/requests/{west_request}").status_code == 404


def test_escalation_goes_to_the_absence_deputy_when_the_directory_names_none(app, west_request):
    with app.app_context():  # named earlier for the days around the escalation (the form refuses past days)
        session().add(Absence(manager_email=WEST, deputy_email=EAST, first_day=MONDAY.date(),
                              last_day=MONDAY.date() + timedelta(days=14)))
        session().commit()
    received_at(app, west_request, MONDAY)
    escalate(app, MONDAY + timedelta(days=7))
    assert stored(app, west_request).escalated_to == EAST


@pytest.mark.parametrize("deputy, first, last, message", [
    ("", 0, 1, "Please"),
    ("not-an-address", 0, 1, "e-mail"),
    (WEST, 0, 1, "someone else than yourself"),
    (EAST, 3, 1, "cannot be before the first"),
    (EAST, -5, -1, "already passed"),
    (EAST, 0, 400, "a year at most"),
])
def test_a_wrong_absence_is_refused_with_a_clear_message_and_the_typing_kept(app, west, deputy, first, last, message):
    today = utcnow().astimezone(PARIS).date()
    response = name_deputy(west, deputy, today + timedelta(days=first), today + timedelta(days=last))
    assert response.status_code == 400 and message in response.text
    assert f'value="{deputy}"' in response.text if deputy else True
    with app.app_context():
        assert session().scalars(select(Absence)).all() == []


def test_a_date_that_is_not_a_date_is_refused_kindly(west):
    response = post(west, "/manage/absences", deputy_email=EAST, first_day="next monday", last_day="2026-13-45")
    assert response.status_code == 400 and "Please give a date such as" in response.text


def test_only_the_manager_removes_their_absence(app, west, east):
    today = utcnow().astimezone(PARIS).date()
    name_deputy(west, EAST, today, today + timedelta(days=2))
    with app.app_context():
        absence_id = session().scalars(select(Absence.id)).one()
    assert post(east, f"/manage/absences/{absence_id}/cancel").status_code == 404
    assert post(west, f"/manage/absences/{absence_id}/cancel").status_code == 302
    with app.app_context():
        assert session().scalars(select(Absence)).all() == []
        assert [key for key in session().scalars(select(OutboxItem.idempotency_key))] == [f"absence:{absence_id}:named"]
