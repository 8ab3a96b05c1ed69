"""The team page: a team admin sees and manages the people of their own customer number, and nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, AuditEvent, OutboxItem, RequestStatus
from bridge.keycloak.access import MANAGER_ROLE, PARTNER_ROLE, TEAM_ADMIN_ROLE
from bridge.privacy.inactivity import record_sign_ins
from tests.support.worker import run_outbox
from tests.unit.review.conftest import EAST, WEST
from tests.unit.review.test_bounded_pages import keycloak_calls_for, team_admins_elsewhere
from tests.unit.review.conftest import post as manager_post
from tests.support.manager import csrf_token
from tests.unit.team.conftest import ADMIN_EMAIL, COLLEAGUE_EMAIL, person, post, signed_in

INVITED = {"first_name": "Zoé", "last_name": "Durand", "email": "zoe.durand@pharmacie-centrale.example",
           "language": "de"}


def requests_of(app) -> list[AccessRequest]:
    with app.app_context():
        rows = list(session().scalars(select(AccessRequest).order_by(AccessRequest.id)))
        session().expunge_all()
        return rows


def audit_of(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.actor, e.action) for e in session().scalars(select(AuditEvent).order_by(AuditEvent.id))]


def mails_to(app, address: str) -> list[dict]:
    with app.app_context():
        return [item.payload for item in session().scalars(select(OutboxItem)) if item.payload.get("to") == address]


def test_signed_out_visitors_are_sent_to_sign_in(client):
    answer = client.get("/team/")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/team/login")


def test_a_partner_who_is_not_a_team_admin_is_refused(team_client, colleague_id):
    assert team_client(colleague_id).get("/team/").status_code == 403


def test_a_team_admin_whose_role_was_taken_is_refused_on_the_next_page(twin, team, team_admin_id):
    assert team.get("/team/").status_code == 200
    twin.take_realm_role(team_admin_id, TEAM_ADMIN_ROLE)
    assert team.get("/team/").status_code == 403


def test_the_page_lists_the_colleagues_with_since_and_last_sign_in_and_the_waiting_requests(app, twin, team,
                                                                                             east_partner_id):
    with app.app_context():  # the worker's round reads the LOGIN events into the table sign_in
        record_sign_ins(session(), twin)
        session().commit()
    page = team.get("/team/").get_data(as_text=True)
    people = page.split('id="people"')[1].split("</ul>")[0]
    assert "Inès Roux" in people and "Lou Brun" in people and "Team admin" in people
    assert people.count("Access since") == 2 and people.count("Last sign-in") == 2 and "none recorded" not in people
    assert "max<wbr>.weber" not in page  # another customer's person
    assert "No request is waiting." in page
    post(team, "/team/invite", **INVITED)
    waiting = team.get("/team/").get_data(as_text=True).split('id="pending"')[1].split("</ul>")[0]
    assert "Zoé Durand" in waiting and "ines<wbr>.roux" in waiting


@pytest.mark.parametrize("language, heading", [("fr", "Votre équipe"), ("de", "Ihr Team"), ("en", "Your team")])
def test_the_page_speaks_the_team_admins_language(team_client, team_admin_id, language, heading):
    assert heading in team_client(team_admin_id, language).get("/team/").get_data(as_text=True)


def test_another_customers_person_is_not_found_and_keeps_access(twin, team, east_partner_id):
    assert team.get(f"/team/people/{east_partner_id}/remove").status_code == 404
    assert post(team, f"/team/people/{east_partner_id}/remove", reason="left").status_code == 404
    assert PARTNER_ROLE in twin.realm_roles(east_partner_id) and twin.user_sessions(east_partner_id)


def test_an_unknown_or_malformed_person_id_is_not_found(team):
    assert team.get("/team/people/00000000-0000-4000-8000-000000000000/remove").status_code == 404
    assert team.get("/team/people/100002/remove").status_code == 404


def test_an_invitation_is_a_request_vouched_for_by_the_team_admin_that_the_manager_decides(app, twin, team,
                                                                                             reviewer_client):
    answer = post(team, "/team/invite", **INVITED)
    assert answer.status_code == 302
    assert "on its way to your regional manager" in team.get("/team/").get_data(as_text=True)
    [request] = requests_of(app)
    assert (request.status, request.vouched_by, request.customer_number, request.language) == (
        RequestStatus.PENDING, ADMIN_EMAIL, "100001", "de")
    assert (ADMIN_EMAIL, "invited") in audit_of(app)
    [notification] = mails_to(app, WEST)
    assert f"Recommandé par {ADMIN_EMAIL}, admin d'équipe de ce client." in notification["text"]  # the manager's language
    [receipt] = mails_to(app, INVITED["email"])
    assert ADMIN_EMAIL in receipt["text"]  # in German: "Ihr Kollege … hat … beantragt"
    west = reviewer_client(WEST, MANAGER_ROLE)
    detail = west.get(f"/manage/requests/{request.id}").get_data(as_text=True)
    assert 'id="vouched-by"' in detail and "ines<wbr>.roux" in detail
    assert manager_post(west, f"/manage/requests/{request.id}/approve", confirmed="yes").status_code == 302
    assert requests_of(app)[0].status == RequestStatus.APPROVED


@pytest.mark.parametrize("regions, email, status", [
    ("west", "zoe.durand@pharmacie-centrale.example", RequestStatus.APPROVED),
    ("west", "zoe.durand@gmail.example", RequestStatus.PENDING),
    ("east", "zoe.durand@pharmacie-centrale.example", RequestStatus.PENDING),
    ("", "zoe.durand@pharmacie-centrale.example", RequestStatus.PENDING),
])
def test_a_region_may_approve_vouched_requests_of_the_team_admins_domain_at_once(make_bridge, twin,
                                                                                   regions, email, status):
    app = make_bridge(TEAM_AUTO_APPROVE_REGIONS=regions)
    client = signed_in(app, person(twin, ADMIN_EMAIL, "100001", PARTNER_ROLE, TEAM_ADMIN_ROLE))
    assert post(client, "/team/invite", **{**INVITED, "email": email}).status_code == 302
    [request] = requests_of(app)
    assert request.status == status
    if status == RequestStatus.APPROVED:
        assert request.decided_by == "auto-approval" and request.activation_due_at is not None
        assert run_outbox(app)["sent"] >= 1 and twin.find_user_by_email(email) is not None


@pytest.mark.parametrize("fields, message", [
    ({"email": "not-an-address"}, "This is not an e-mail address"),
    ({"first_name": ""}, "Please fill in this field."),
    ({"last_name": "Brun<script>"}, "Please use letters, spaces, hyphens and apostrophes only"),
    ({"email": COLLEAGUE_EMAIL}, "This address already has access."),
])
def test_an_invitation_that_cannot_be_taken_says_why_and_keeps_what_was_typed(app, team, fields, message):
    answer = post(team, "/team/invite", **{**INVITED, **fields})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and message in page
    assert 'value="Durand"' in page or fields.get("last_name")
    assert requests_of(app) == []


def test_a_second_invitation_for_a_waiting_address_is_not_doubled(app, team):
    post(team, "/team/invite", **INVITED)
    answer = post(team, "/team/invite", **INVITED)
    assert answer.status_code == 409 and "already waiting" in answer.get_data(as_text=True)
    assert len(requests_of(app)) == 1


def test_an_invitation_without_csrf_token_is_refused(app, team):
    assert team.post("/team/invite", data=INVITED).status_code == 400
    assert requests_of(app) == []


def test_removing_a_colleague_ends_access_at_once_and_tells_the_manager(app, twin, team, colleague_id):
    check = lambda: app.test_client().post("/api/v1/email-status", json={"email": COLLEAGUE_EMAIL}).json  # noqa: E731
    assert check() == {"status": "known"}
    confirm = team.get(f"/team/people/{colleague_id}/remove").get_data(as_text=True)
    assert "End the access of Lou Brun?" in confirm
    assert post(team, f"/team/people/{colleague_id}/remove", reason="has left the company").status_code == 302
    assert not {PARTNER_ROLE, TEAM_ADMIN_ROLE} & twin.realm_roles(colleague_id)
    assert twin.customer_members("100001") and colleague_id not in {m["id"] for m in twin.customer_members("100001")}
    assert twin.user_sessions(colleague_id) == []
    assert check() == {"status": "unknown"}
    assert (ADMIN_EMAIL, "revoked") in audit_of(app)
    [notice] = mails_to(app, WEST)
    assert COLLEAGUE_EMAIL in notice["subject"] and "has left the company" in notice["text"] and ADMIN_EMAIL in notice["text"]
    page = team.get("/team/").get_data(as_text=True)
    assert "your regional manager has been told" in page and "Lou Brun" not in page.split('id="people"')[1]


def test_a_removal_needs_a_reason_and_a_csrf_token(twin, team, colleague_id):
    assert post(team, f"/team/people/{colleague_id}/remove", reason="").status_code == 400
    assert team.post(f"/team/people/{colleague_id}/remove", data={"reason": "left"}).status_code == 400
    assert PARTNER_ROLE in twin.realm_roles(colleague_id)


def test_a_team_admin_cannot_remove_themselves(twin, team, team_admin_id):
    answer = post(team, f"/team/people/{team_admin_id}/remove", reason="test")
    assert answer.status_code == 302
    assert "cannot remove your own access" in team.get("/team/").get_data(as_text=True)
    assert PARTNER_ROLE in twin.realm_roles(team_admin_id)


def test_the_manager_makes_a_person_with_access_team_admin_and_another_region_cannot(app, twin, reviewer_client,
                                                                                    colleague_id, east_partner_id):
    west, east = reviewer_client(WEST, MANAGER_ROLE), reviewer_client(EAST, MANAGER_ROLE)
    token = csrf_token(west, "/manage/")
    assert west.post(f"/manage/people/{colleague_id}/team-admin",
                     data={"team_admin": "yes", "csrf_token": token}).status_code == 302
    assert TEAM_ADMIN_ROLE in twin.realm_roles(colleague_id)
    assert (WEST, "team_admin_granted") in audit_of(app)
    assert manager_post(east, f"/manage/people/{colleague_id}/team-admin", team_admin="no").status_code == 404
    assert TEAM_ADMIN_ROLE in twin.realm_roles(colleague_id)
    assert manager_post(west, f"/manage/people/{colleague_id}/team-admin", team_admin="no").status_code == 302
    assert TEAM_ADMIN_ROLE not in twin.realm_roles(colleague_id)
    assert manager_post(west, f"/manage/people/{east_partner_id}/team-admin", team_admin="yes").status_code == 404


def test_a_manager_ending_a_team_admins_access_takes_the_team_admin_role_too(twin, reviewer_client, team_admin_id):
    west = reviewer_client(WEST, MANAGER_ROLE)
    assert manager_post(west, f"/manage/people/{team_admin_id}/revoke", reason="left").status_code == 302
    assert not {PARTNER_ROLE, TEAM_ADMIN_ROLE} & twin.realm_roles(team_admin_id)


def test_sign_in_comes_back_to_the_page_asked_for_in_the_team_admins_language(app, twin, team_admin_id, monkeypatch):
    from bridge.review.service import Reviewer
    sign_in = app.extensions["bridge.team_sign_in"]
    monkeypatch.setattr(sign_in, "finish", lambda: (Reviewer(ADMIN_EMAIL, "Inès Roux", frozenset()), "id-token"))
    client = app.test_client()
    assert client.get("/team/").headers["Location"].endswith("/team/login")
    assert client.get("/team/callback?code=x&state=y").headers["Location"] == "/team/?lang=fr"
    assert client.get("/team/").status_code == 200


def test_the_page_asks_keycloak_the_same_with_ten_times_the_team_admins_of_other_customers(twin, team, colleague_id):
    team_admins_elsewhere(twin, 20)
    small = keycloak_calls_for(twin, team, "/team/")
    team_admins_elsewhere(twin, 200)
    assert keycloak_calls_for(twin, team, "/team/") == small
