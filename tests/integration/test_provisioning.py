"""Approval provisions the person in the real Keycloak, through the outbox, exactly once; revocation undoes it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bridge.delivery import outbox
from bridge.core.db import session
from bridge.core.models import AccessRequest, AuditEvent, OutboxItem, utcnow
from bridge.delivery.schedule import next_activation
from devstack.seed import MANAGER_WEST
from tests.support.forms import submit_request
from tests.support.mail import wait_for_message
from tests.support.worker import run_outbox
from tests.support.manager import csrf_token, sign_in
from tests.support.oidc import authorization_code, browser_session, open_login_page, submit_login


@pytest.fixture
def person(app):
    """A fresh request for customer 100001 (manager.west), with its id and e-mail."""
    email = f"new.partner.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    submit_request(app.test_client(), "de", email=email, first_name="Jana", last_name="Neumann", language="de")
    with app.app_context():
        request_id = session().scalar(select(AccessRequest.id).where(AccessRequest.email == email))
    assert run_outbox(app) == {"sent": 2}, "the request's two e-mails go out first"
    return {"id": request_id, "email": email}


def approve(app, request_id):
    client = sign_in(app.test_client(), MANAGER_WEST.email, MANAGER_WEST.password)
    token = csrf_token(client, f"/manage/requests/{request_id}")
    return client, client.post(f"/manage/requests/{request_id}/approve?lang=en",
                               data={"note": "Kundin bekannt", "confirmed": "yes", "csrf_token": token})


def email_status(app, email):
    return app.test_client().post("/api/v1/email-status", json={"email": email}).json["status"]


def test_approval_creates_organization_user_membership_and_role(app, gateway, person):
    assert email_status(app, person["email"]) == "pending"
    client, response = approve(app, person["id"])
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Approved." in page and page.count("scheduled for") == 1 and "4:00\u202fAM (Europe/Paris)" in page
    assert run_outbox(app) == {"sent": 1}

    user = gateway.find_user_by_email(person["email"])
    assert user["enabled"] and not user["emailVerified"]
    assert (user["firstName"], user["lastName"], user["username"]) == ("Jana", "Neumann", person["email"])
    assert user["attributes"]["customer_number"] == ["100001"] and user["attributes"]["locale"] == ["de"]
    assert "b2b-partner" in gateway.realm_roles(user["id"])
    assert user["id"] in {member["id"] for member in gateway.customer_members("100001")}
    organization = gateway.find_organization("100001")
    assert organization["alias"] == "100001"
    assert organization["attributes"]["company_name"] == ["Pharmacie Centrale"]
    assert organization["attributes"]["region"] == ["west"]

    with app.app_context():
        request = session().get(AccessRequest, person["id"])
        assert request.status == "approved" and request.keycloak_user_id == user["id"]
        assert request.decided_by == MANAGER_WEST.email and request.decision_note == "Kundin bekannt"
        assert request.activation_due_at == next_activation(request.decided_at, "Europe/Paris")
        actions = session().scalars(select(AuditEvent.action).where(AuditEvent.request_id == person["id"])).all()
    assert actions == ["approved", "provisioned"]
    assert make_fresh_status(app, person["email"]) == "known"


def make_fresh_status(app, email):
    """The e-mail check of a new process (no cached answer)."""
    from bridge import create_app
    return create_app(dict(app.config)).test_client().post("/api/v1/email-status", json={"email": email}).json["status"]


def test_keycloak_down_during_approval_keeps_the_decision_and_provisions_once_it_is_back(
        app, make_app, gateway, person, nothing_listens):
    approve(app, person["id"])
    broken = make_app(KEYCLOAK_URL=nothing_listens, DATABASE_URL=app.config["DATABASE_URL"])
    first = utcnow()
    assert run_outbox(broken, first) == {"pending": 1}
    with app.app_context():
        assert session().get(AccessRequest, person["id"]).status == "approved"
        item = session().scalars(select(OutboxItem).where(OutboxItem.kind == "provision")).one()
        assert "transient" in item.last_error
    assert gateway.find_user_by_email(person["email"]) is None
    assert run_outbox(app, first + outbox.backoff(1)) == {"sent": 1}
    assert run_outbox(app, first + timedelta(days=1), kinds=("provision",)) == {}
    assert gateway.find_user_by_email(person["email"]) is not None


def test_double_click_and_two_managers_give_one_user_and_one_activation(app, make_app, gateway, person):
    client, first = approve(app, person["id"])
    token = csrf_token(client, f"/manage/requests/{person['id']}")
    second = client.post(f"/manage/requests/{person['id']}/approve?lang=en", data={"note": "", "confirmed": "yes", "csrf_token": token})
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "already been decided" in page
    with app.app_context():
        assert session().scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.kind == "provision")) == 1
    # Two workers performing the same provisioning (a retry after a crash) still leave one user.
    with app.app_context():
        from bridge.delivery.provisioning import provision
        payload = {"request_id": person["id"]}
        provision(session(), app.extensions["bridge.keycloak"], app.extensions["bridge.broadcast"], payload, utcnow())
        provision(session(), app.extensions["bridge.keycloak"], app.extensions["bridge.broadcast"], payload, utcnow())
        session().commit()
        provisioned = session().get(AccessRequest, person["id"]).keycloak_user_id
    # The realm refuses a second account with the same e-mail; the request points at the one that exists.
    assert gateway.find_user_by_email(person["email"])["id"] == provisioned


def test_address_with_an_account_meanwhile_is_reused(app, gateway, person):
    existing = gateway.ensure_user(person["email"], "Jana", "Neumann", "de", {})
    approve(app, person["id"])
    run_outbox(app)
    with app.app_context():
        assert session().get(AccessRequest, person["id"]).keycloak_user_id == existing


def test_revocation_ends_access_and_sessions(app, gateway, person, keycloak, test_env):
    approve(app, person["id"])
    run_outbox(app)
    user = gateway.find_user_by_email(person["email"])
    gateway.set_password(user["id"], "Jana-Neumann-2026!")
    session_login = browser_session()
    page = open_login_page(session_login, keycloak.url, "b2b-portal", test_env["PORTAL_URL"] + "/callback")
    assert authorization_code(submit_login(session_login, page, person["email"], "Jana-Neumann-2026!"),
                              test_env["PORTAL_URL"] + "/callback")
    assert gateway.user_sessions(user["id"]) != []

    client = sign_in(app.test_client(), MANAGER_WEST.email, MANAGER_WEST.password)
    token = csrf_token(client, f"/manage/requests/{person['id']}")
    response = client.post(f"/manage/people/{user['id']}/revoke",
                           data={"reason": "left the company", "csrf_token": token,
                                 "back": f"/manage/requests/{person['id']}"})
    assert response.status_code == 302
    assert gateway.user_sessions(user["id"]) == []
    assert "b2b-partner" not in gateway.realm_roles(user["id"])
    assert make_fresh_status(app, person["email"]) == "unknown"
    with app.app_context():
        event = session().scalars(select(AuditEvent).where(AuditEvent.action == "revoked")).one()
    assert event.actor == MANAGER_WEST.email and event.detail["reason"] == "left the company"


def test_manager_cannot_revoke_a_person_of_another_region(app, gateway):
    east_person = gateway.ensure_user(f"east.{uuid.uuid4().hex[:6]}@sanitaetshaus-berger.example", "Ida", "Ost",
                                      "de", {"customer_number": "100002"})
    gateway.grant_realm_role(east_person, "b2b-partner")
    client = sign_in(app.test_client(), MANAGER_WEST.email, MANAGER_WEST.password)
    token = csrf_token(client, "/manage/")
    response = client.post(f"/manage/people/{east_person}/revoke", data={"reason": "x", "csrf_token": token})
    assert response.status_code == 404
    assert "b2b-partner" in gateway.realm_roles(east_person)


def test_a_revoke_url_with_a_fragment_in_the_id_deletes_nobody(app, gateway, person):
    """`<uid>%23` once turned the role-mapping DELETE into DELETE /users/<uid> (the account was gone)."""
    approve(app, person["id"])
    run_outbox(app)
    user = gateway.find_user_by_email(person["email"])
    client = sign_in(app.test_client(), MANAGER_WEST.email, MANAGER_WEST.password)
    token = csrf_token(client, f"/manage/requests/{person['id']}")
    response = client.post(f"/manage/people/{user['id']}%23/revoke", data={"reason": "x", "csrf_token": token})
    assert response.status_code == 404
    assert gateway.get_user(user["id"]) is not None
    assert "b2b-partner" in gateway.realm_roles(user["id"])


def test_a_revoked_person_who_signs_in_is_told_their_access_ended_and_a_manager_can_give_it_back(
        app, gateway, person, keycloak, test_env):
    approve(app, person["id"])
    run_outbox(app)
    user = gateway.find_user_by_email(person["email"])
    gateway.set_password(user["id"], "Jana-Neumann-2026!")
    client = sign_in(app.test_client(), MANAGER_WEST.email, MANAGER_WEST.password)
    detail = f"/manage/requests/{person['id']}"
    assert client.post(f"/manage/people/{user['id']}/revoke", data={
        "reason": "left the company", "csrf_token": csrf_token(client, detail), "back": detail}).status_code == 302
    with app.app_context():
        assert session().get(AccessRequest, person["id"]).status == "revoked"

    callback = test_env["PORTAL_URL"] + "/callback"
    attempt = browser_session()  # a French login page; once known, the person is answered in their own language
    answer = submit_login(attempt, open_login_page(attempt, keycloak.url, "b2b-portal", callback, "fr"),
                          person["email"], "Jana-Neumann-2026!")
    assert answer.status_code == 401 and authorization_code(answer, callback) is None
    assert "Ihr Zugang wurde beendet" in answer.text and "wenden Sie sich an Ihre Regionalleitung" in answer.text
    assert 'id="ww-access-ended"' in answer.text and "/help?lang=de" in answer.text
    assert gateway.user_sessions(user["id"]) == [], "nobody who was turned away holds a session"

    assert client.post(f"/manage/people/{user['id']}/regrant", data={
        "csrf_token": csrf_token(client, detail), "back": detail}).status_code == 302
    attempt = browser_session()
    answer = submit_login(attempt, open_login_page(attempt, keycloak.url, "b2b-portal", callback),
                          person["email"], "Jana-Neumann-2026!")
    assert authorization_code(answer, callback), "access given back: the same password works again"
    with app.app_context():
        assert session().get(AccessRequest, person["id"]).status == "approved"


def test_an_account_keycloak_refuses_is_shown_to_the_manager_who_corrects_it(app, gateway, person, mailcatcher):
    with app.app_context():  # stored before the form checked names
        session().get(AccessRequest, person["id"]).last_name = "Neumann <GmbH>"
        session().commit()
    mailcatcher.clear()
    approve(app, person["id"])
    assert run_outbox(app, kinds=("provision",)) == {"failed": 1}, "Keycloak's user profile refuses the name"
    with app.app_context():
        request = session().get(AccessRequest, person["id"])
        assert (request.status, request.provisioning_error) == ("failed", "name")
    run_outbox(app)
    notice = wait_for_message(mailcatcher, MANAGER_WEST.email)
    assert notice["Subject"].startswith("Compte non créé : Jana Neumann <GmbH>")
    assert f"/manage/requests/{person['id']}" in notice["Text"]

    client = sign_in(app.test_client(), MANAGER_WEST.email, MANAGER_WEST.password)
    detail = f"/manage/requests/{person['id']}"
    assert "The account could not be created" in client.get(f"{detail}?lang=en").get_data(as_text=True)
    assert client.post(f"{detail}/retry", data={
        "first_name": "Jana", "last_name": "Neumann", "email": person["email"],
        "csrf_token": csrf_token(client, detail)}).status_code == 302
    assert run_outbox(app, kinds=("provision",)) == {"sent": 1}
    user = gateway.find_user_by_email(person["email"])
    assert user["lastName"] == "Neumann" and "b2b-partner" in gateway.realm_roles(user["id"])
