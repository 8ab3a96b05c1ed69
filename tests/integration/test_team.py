"""The team page against the real Keycloak, SMTP sink and e-mail check: a team admin of customer 100001 signs in,
never reaches another customer's people, asks access for a colleague (vouched request → the manager approves →
account and 04:00 e-mail), and ends a colleague's access (they can no longer sign in; the check says "unknown")."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, AuditEvent
from bridge.keycloak.access import PARTNER_ROLE, TEAM_ADMIN_ROLE
from devstack.seed import MANAGER_WEST, PARTNER, TEAM_ADMIN
from tests.support.manager import csrf_token, sign_in
from tests.support.oidc import authorization_code, browser_session, open_login_page, submit_login
from tests.support.worker import run_outbox

PASSWORD = "Team-Colleague-2026!"


def colleague(gateway, customer_number: str, company: str) -> tuple[str, str]:
    """A person with access for a customer, with a password; return (id, e-mail)."""
    email = f"team.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    organization_id = gateway.ensure_organization(customer_number, company, "west")
    user_id = gateway.ensure_user(email, "Noé", "Lambert", "fr", {"customer_number": customer_number},
                                  email_verified=True)
    gateway.add_member(organization_id, user_id)
    gateway.grant_realm_role(user_id, PARTNER_ROLE)
    gateway.set_password(user_id, PASSWORD)
    return user_id, email


def wait_for_mail(mailcatcher, recipient: str, subject_part: str, timeout: float = 15) -> dict:
    """The newest message to `recipient` whose subject holds `subject_part`, in full."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for summary in mailcatcher.messages():
            if recipient in {to["Address"].lower() for to in summary["To"]} and subject_part in summary["Subject"]:
                return mailcatcher.message(summary["ID"])
        time.sleep(0.2)
    raise AssertionError(f"no message to {recipient} about {subject_part!r}")


def team_admin(app):
    return sign_in(app.test_client(), TEAM_ADMIN.email, TEAM_ADMIN.password, "/team")


def portal_sign_in(keycloak, test_env, email: str, password: str):
    """A sign-in at the example portal's client; return Keycloak's answer."""
    callback = test_env["PORTAL_URL"] + "/callback"
    attempt = browser_session()
    return submit_login(attempt, open_login_page(attempt, keycloak.url, "b2b-portal", callback, "fr"), email,
                        password), callback


def test_the_team_admin_signs_in_and_sees_their_colleagues_in_their_language(app, gateway):
    _, email = colleague(gateway, "100001", "Pharmacie Centrale")
    client = team_admin(app)
    page = client.get("/team/", follow_redirects=True).get_data(as_text=True)
    assert "Votre équipe chez" in page, "the team admin's account is French"
    people = page.split('id="people"')[1].split("</ul>")[0]
    assert email.split("@")[0].replace(".", "<wbr>.") in people and "Inès Roux" in people
    assert "Dernière connexion" in people


def test_a_partner_who_is_not_a_team_admin_is_refused(app):
    client = sign_in(app.test_client(), PARTNER.email, PARTNER.password, "/team")
    assert client.get("/team/").status_code == 403


def test_another_customers_person_is_not_found_and_keeps_access(app, gateway):
    east_id, east_email = colleague(gateway, "100002", "Apotheke Ost")
    client = team_admin(app)
    assert client.get(f"/team/people/{east_id}/remove").status_code == 404
    assert client.post(f"/team/people/{east_id}/remove", data={
        "reason": "left", "csrf_token": csrf_token(client, "/team/")}).status_code == 404
    assert PARTNER_ROLE in gateway.realm_roles(east_id)
    assert east_email in {member["email"] for member in gateway.customer_members("100002")}


def test_an_invited_colleague_is_vouched_for_approved_by_the_manager_and_activated(app, gateway, mailcatcher):
    email = f"invited.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    client = team_admin(app)
    assert client.post("/team/invite", data={
        "first_name": "Zoé", "last_name": "Durand", "email": email, "language": "de",
        "csrf_token": csrf_token(client, "/team/")}).status_code == 302
    with app.app_context():
        request = session().scalars(select(AccessRequest).where(AccessRequest.email == email)).one()
        request_id, vouched_by = request.id, request.vouched_by
    assert vouched_by == TEAM_ADMIN.email
    manager = sign_in(app.test_client(), MANAGER_WEST.email, MANAGER_WEST.password)
    detail = f"/manage/requests/{request_id}"
    assert 'id="vouched-by"' in manager.get(detail).get_data(as_text=True)
    assert manager.post(f"{detail}/approve", data={
        "confirmed": "yes", "csrf_token": csrf_token(manager, detail)}).status_code == 302
    run_outbox(app)  # the request's e-mails and the account
    user = gateway.find_user_by_email(email)
    assert user and PARTNER_ROLE in gateway.realm_roles(user["id"])
    assert email in {member["email"] for member in gateway.customer_members("100001")}
    with app.app_context():
        due = session().get(AccessRequest, request_id).activation_due_at
    assert run_outbox(app, due, kinds=("activation",)) == {"sent": 1}
    mail = wait_for_mail(mailcatcher, email, "aktiviert")
    assert re.search(r"/login-actions/action-token\?", mail["Text"])


def test_a_removed_colleague_cannot_sign_in_and_is_unknown_at_once(app, gateway, keycloak, test_env, mailcatcher):
    user_id, email = colleague(gateway, "100001", "Pharmacie Centrale")
    answer, callback = portal_sign_in(keycloak, test_env, email, PASSWORD)
    assert authorization_code(answer, callback), "signs in before"
    check = lambda: app.test_client().post("/api/v1/email-status", json={"email": email}).json  # noqa: E731
    assert check() == {"status": "known"}
    client = team_admin(app)
    assert client.post(f"/team/people/{user_id}/remove", data={
        "reason": "a quitté la pharmacie", "csrf_token": csrf_token(client, "/team/")}).status_code == 302
    assert check() == {"status": "unknown"}, "the cached answer went with the removal"
    assert not {PARTNER_ROLE, TEAM_ADMIN_ROLE} & gateway.realm_roles(user_id)
    assert gateway.user_sessions(user_id) == []
    answer, callback = portal_sign_in(keycloak, test_env, email, PASSWORD)
    assert answer.status_code == 401 and authorization_code(answer, callback) is None
    assert 'id="ww-access-ended"' in answer.text
    with app.app_context():
        assert (TEAM_ADMIN.email, "revoked") in {(e.actor, e.action) for e in session().scalars(select(AuditEvent))}
    run_outbox(app)
    notice = wait_for_mail(mailcatcher, MANAGER_WEST.email, email)
    assert "a quitté la pharmacie" in notice["Text"] and TEAM_ADMIN.email in notice["Text"]


@pytest.mark.parametrize("make", ["yes", "no"])
def test_the_manager_makes_a_colleague_team_admin_or_no_longer(app, gateway, make):
    user_id, _ = colleague(gateway, "100001", "Pharmacie Centrale")
    if make == "no":
        gateway.grant_realm_role(user_id, TEAM_ADMIN_ROLE)
    manager = sign_in(app.test_client(), MANAGER_WEST.email, MANAGER_WEST.password)
    assert manager.post(f"/manage/people/{user_id}/team-admin", data={
        "team_admin": make, "csrf_token": csrf_token(manager, "/manage/")}).status_code == 302
    assert (TEAM_ADMIN_ROLE in gateway.realm_roles(user_id)) == (make == "yes")
