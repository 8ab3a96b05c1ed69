"""The confirmation page: a team admin answers for their own customer only, a regional manager for their customers
only (another's list is "not found"), answers are recorded once, a removal ends access at once, and the dashboard
shows the progress per region."""

from __future__ import annotations

from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AuditEvent
from bridge.keycloak.access import ADMIN_ROLE, MANAGER_ROLE, PARTNER_ROLE
from tests.support.confirmation import answer
from tests.support.manager import csrf_token
from tests.support.worker import run_outbox
from tests.unit.confirmation.conftest import answers_of, start_round
from tests.unit.review.conftest import ADMIN, EAST, WEST
from tests.unit.team.conftest import ADMIN_EMAIL, COLLEAGUE_EMAIL, EAST_EMAIL, person, signed_in


def rows(page: str) -> list[str]:
    """The people on the list as the page shows them (one <li> each)."""
    return [item.split("</li>")[0] for item in page.split('id="confirmation"')[1].split("</ul>")[0].split("<li")[1:]]


def test_without_a_round_the_page_says_nothing_is_open(app, people):
    page = signed_in(app, people[ADMIN_EMAIL]).get("/team/confirm")
    assert page.status_code == 200 and "No confirmation is open" in page.get_data(as_text=True)


def test_a_team_admin_confirms_one_colleague_and_removes_another(app, twin, mailbox, people):
    leaver = person(twin, "leo.marin@pharmacie-centrale.example", "100001", PARTNER_ROLE, first_name="Léo",
                    last_name="Marin")
    start_round(app)
    team = signed_in(app, people[ADMIN_EMAIL])
    assert "3 colleagues are waiting for your answer" in team.get("/team/").get_data(as_text=True)
    page = team.get("/team/confirm").get_data(as_text=True)
    listed = rows(page)
    assert len(listed) == 3 and "You: confirmed by answering" in listed[0]  # by name: Inès, Léo, Lou
    assert not any(EAST_EMAIL in row for row in listed) and 'type="radio"' not in page.split("You: confirmed")[0].split("<li")[-1]

    answered = answer(team, "/team/confirm", {people[COLLEAGUE_EMAIL]: "confirmed", leaver: "removed"})
    assert answered.status_code == 302
    assert "Confirmed: 2. Access ended: 1." in team.get("/team/confirm").get_data(as_text=True)
    assert answers_of(app) == {people[ADMIN_EMAIL]: "confirmed", people[COLLEAGUE_EMAIL]: "confirmed",
                               leaver: "removed", people[EAST_EMAIL]: ""}
    assert PARTNER_ROLE not in twin.realm_roles(leaver) and twin.user_sessions(leaver) == []
    assert PARTNER_ROLE in twin.realm_roles(people[COLLEAGUE_EMAIL])
    run_outbox(app, kinds=("mail",))
    [told] = [mail for mail in mailbox.to(WEST) if "leo.marin" in mail["Subject"]]
    assert "has left (yearly confirmation)" in told.get_body(("plain",)).get_content()
    with app.app_context():
        actions = [(e.actor, e.action) for e in session().scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count((ADMIN_EMAIL, "confirmed")) == 2 and (ADMIN_EMAIL, "revoked") in actions
    assert "waiting for your answer" not in team.get("/team/").get_data(as_text=True)


def test_a_team_admin_cannot_answer_for_a_person_of_another_customer(app, twin, people):
    start_round(app)
    team = signed_in(app, people[ADMIN_EMAIL])
    data = {"csrf_token": csrf_token(team, "/team/confirm"), "people-0-user_id": people[EAST_EMAIL],
            "people-0-answer": "removed"}
    assert team.post("/team/confirm", data=data).status_code == 302
    assert PARTNER_ROLE in twin.realm_roles(people[EAST_EMAIL])
    assert answers_of(app)[people[EAST_EMAIL]] == ""


def test_a_tampered_answer_is_refused_and_nothing_is_recorded(app, people):
    start_round(app)
    team = signed_in(app, people[ADMIN_EMAIL])
    answered = answer(team, "/team/confirm", {people[COLLEAGUE_EMAIL]: "maybe"})
    assert answered.status_code == 400 and "Not a valid choice" in answered.get_data(as_text=True)
    assert set(answers_of(app).values()) == {""}


def test_only_the_customers_regional_manager_or_an_admin_sees_its_list(app, people, reviewer_client):
    start_round(app)
    assert reviewer_client(EAST, MANAGER_ROLE).get("/manage/confirmations/100001").status_code == 404
    assert reviewer_client(EAST, MANAGER_ROLE).get("/manage/confirmations/999999").status_code == 404
    assert reviewer_client(WEST, MANAGER_ROLE).get("/manage/confirmations/100001").status_code == 200
    assert reviewer_client(ADMIN, ADMIN_ROLE).get("/manage/confirmations/100002").status_code == 200
    overview = reviewer_client(EAST, MANAGER_ROLE).get("/manage/confirmations").get_data(as_text=True)
    assert "Sanitätshaus Berger GmbH (100002)" in overview and "Pharmacie Centrale" not in overview
    east = reviewer_client(EAST, MANAGER_ROLE)
    data = {"csrf_token": csrf_token(east, "/manage/confirmations/100002"), "people-0-user_id": people[COLLEAGUE_EMAIL],
            "people-0-answer": "removed"}
    assert east.post("/manage/confirmations/100001", data=data).status_code == 404


def test_a_manager_answers_for_a_customer_without_team_admin_and_the_dashboard_counts_it(app, twin, people,
                                                                                      reviewer_client):
    start_round(app)
    east = reviewer_client(EAST, MANAGER_ROLE)
    assert answer(east, "/manage/confirmations/100002", {people[EAST_EMAIL]: "removed"}).status_code == 302
    assert PARTNER_ROLE not in twin.realm_roles(people[EAST_EMAIL])
    assert "all answered" in east.get("/manage/confirmations").get_data(as_text=True)
    admin = reviewer_client(ADMIN, ADMIN_ROLE).get("/manage/dashboard").get_data(as_text=True)
    progress = admin.split('id="confirmation-progress"')[1].split("</table>")[0]
    east_row, west_row = [row for row in progress.split("<tr>")[2:]]
    assert [cell.split("<")[0] for cell in east_row.split('class="number">')[1:]] == ["1 / 1", "0", "1", "0", "0"]
    assert [cell.split("<")[0] for cell in west_row.split('class="number">')[1:]] == ["0 / 1", "0", "0", "0", "2"]
    west_only = reviewer_client(WEST, MANAGER_ROLE).get("/manage/dashboard").get_data(as_text=True)
    assert len(west_only.split('id="confirmation-progress"')[1].split("</table>")[0].split("<tr>")) == 3  # head + west
