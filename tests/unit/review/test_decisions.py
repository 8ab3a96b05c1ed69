"""The rules of the review UI: who sees and decides what, approving, rejecting, reassigning, revoking.

The manager's session is put in place directly (the OIDC sign-in is tested against the real Keycloak);
Keycloak is the twin, the database in-memory SQLite.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, AuditEvent, OutboxItem, OutboxKind, RequestStatus
from bridge.delivery.schedule import next_activation
from bridge.keycloak.access import ADMIN_ROLE, PARTNER_ROLE
from bridge.keycloak.interface import KeycloakRefused
from tests.support.forms import submit_request
from tests.support.manager import csrf_token
from tests.unit.review.conftest import ADMIN, EAST, WEST, audit, outbox_kinds, partner, post, stored


def test_approving_schedules_provisioning_and_the_next_day_0400_activation(app, west, west_request):
    response = post(west, f"/manage/requests/{west_request}/approve", note="known customer", confirmed="yes")
    assert response.status_code == 302
    request = stored(app, west_request)
    assert request.status == RequestStatus.APPROVED and request.decided_by == WEST
    assert request.activation_due_at == next_activation(request.decided_at, "Europe/Paris")
    assert outbox_kinds(app) == [OutboxKind.ACTIVATION, OutboxKind.MAIL, OutboxKind.MAIL, OutboxKind.PROVISION]
    assert (WEST, "approved") in audit(app)


def test_a_second_approval_changes_nothing(app, west, west_request):
    post(west, f"/manage/requests/{west_request}/approve", confirmed="yes")
    first = stored(app, west_request).decided_at
    page = west.post(f"/manage/requests/{west_request}/approve",
                     data={"csrf_token": csrf_token(west, "/manage/"), "confirmed": "yes"}, follow_redirects=True)
    assert "already been decided" in page.get_data(as_text=True)
    assert stored(app, west_request).decided_at == first
    assert outbox_kinds(app).count(OutboxKind.PROVISION) == 1


@pytest.mark.parametrize("action, data", [("approve", {"confirmed": "yes"}), ("reject", {"reason": "no"}),
                                          ("reassign", {"manager_email": "x@woundwo.example"})])
def test_another_regions_manager_can_neither_see_nor_decide(app, east, west_request, action, data):
    assert east.get(f"/manage/requests/{west_request}").status_code == 404
    assert post(east, f"/manage/requests/{west_request}/{action}", **data).status_code == 404
    assert stored(app, west_request).status == RequestStatus.PENDING
    assert f"/manage/requests/{west_request}" not in east.get("/manage/").get_data(as_text=True)


def test_rejecting_needs_a_reason_and_tells_the_requester_only_when_asked(app, west, west_request):
    assert post(west, f"/manage/requests/{west_request}/reject", reason="").status_code == 400
    assert stored(app, west_request).status == RequestStatus.PENDING
    post(west, f"/manage/requests/{west_request}/reject", reason="Kein Kunde mehr", notify="y")
    request = stored(app, west_request)
    assert request.status == RequestStatus.REJECTED and request.decision_note == "Kein Kunde mehr"
    with app.app_context():
        rejection = session().scalars(select(OutboxItem).where(OutboxItem.idempotency_key.like("%rejection"))).one()
    assert rejection.payload["to"] == request.email and "Kein Kunde mehr" in rejection.payload["text"]
    assert "abgelehnt" in rejection.payload["subject"].lower() or "anfrage" in rejection.payload["subject"].lower()


def test_rejecting_without_notice_sends_nothing_to_the_requester(app, west, west_request):
    post(west, f"/manage/requests/{west_request}/reject", reason="duplicate")
    with app.app_context():
        assert session().scalars(select(OutboxItem).where(OutboxItem.idempotency_key.like("%rejection"))).all() == []


def test_an_admin_reassigns_and_the_request_moves_at_once(app, reviewer_client, west, east, west_request):
    admin = reviewer_client(ADMIN, ADMIN_ROLE)
    assert post(west, f"/manage/requests/{west_request}/reassign", manager_email=EAST).status_code == 404
    assert post(admin, f"/manage/requests/{west_request}/reassign", manager_email=EAST.upper()).status_code == 302
    assert stored(app, west_request).assigned_manager_email == EAST
    assert west.get(f"/manage/requests/{west_request}").status_code == 404
    assert east.get(f"/manage/requests/{west_request}").status_code == 200
    assert (ADMIN, "reassigned") in audit(app)


def test_without_a_reviewing_role_the_ui_is_forbidden_and_without_sign_in_it_asks_to_sign_in(reviewer_client, client):
    assert reviewer_client("partner@pharmacie-centrale.example", PARTNER_ROLE).get("/manage/").status_code == 403
    response = client.get("/manage/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/manage/login")


def test_a_decision_without_csrf_token_is_refused(app, west, west_request):
    assert west.post(f"/manage/requests/{west_request}/approve", data={}).status_code == 400
    assert stored(app, west_request).status == RequestStatus.PENDING


def test_revoking_ends_role_membership_and_sessions_and_is_audited(app, twin, west):
    user_id = partner(twin)
    response = post(west, f"/manage/people/{user_id}/revoke", reason="left the company")
    assert response.status_code == 302
    assert PARTNER_ROLE not in twin.realm_roles(user_id)
    assert twin.customer_members("100001") == [] and twin.user_sessions(user_id) == []
    with app.app_context():
        event = session().scalars(select(AuditEvent).where(AuditEvent.action == "revoked")).one()
    assert event.actor == WEST and event.detail["reason"] == "left the company"


def test_a_manager_cannot_revoke_someone_of_another_region_or_nobody(twin, west):
    east_person = partner(twin, "100002")
    assert post(west, f"/manage/people/{east_person}/revoke", reason="x").status_code == 404
    assert PARTNER_ROLE in twin.realm_roles(east_person)
    assert post(west, "/manage/people/00000000-0000-0000-0000-000000000000/revoke", reason="x").status_code == 404


def test_revoking_while_keycloak_is_down_changes_nothing_and_says_so(twin, west):
    user_id = partner(twin)
    twin.down = True
    page = west.post(f"/manage/people/{user_id}/revoke", follow_redirects=True,
                     data={"reason": "left", "csrf_token": csrf_token(west, "/manage/")})
    twin.down = False
    assert page.status_code == 200 and "nothing was changed" in page.get_data(as_text=True)
    assert PARTNER_ROLE in twin.realm_roles(user_id)


@pytest.mark.parametrize("tampered", ["{uid}%23", "{uid}%2Frole-mappings", "not-a-uuid", "{uid}x"])
def test_a_revoke_url_whose_id_is_not_a_keycloak_id_is_not_found_and_asks_keycloak_nothing(twin, west, tampered):
    user_id = partner(twin)
    asked = len(twin.calls)
    response = post(west, f"/manage/people/{tampered.format(uid=user_id)}/revoke", reason="x")
    assert response.status_code == 404
    assert twin.calls[asked:] == [] and PARTNER_ROLE in twin.realm_roles(user_id)


def test_a_keycloak_refusal_while_revoking_is_a_message_not_a_500(twin, west):
    user_id = partner(twin)
    twin.fail_next("revoke_access", KeycloakRefused("Keycloak refused the request (403)", 403))
    page = west.post(f"/manage/people/{user_id}/revoke", follow_redirects=True,
                     data={"reason": "left", "csrf_token": csrf_token(west, "/manage/")})
    assert page.status_code == 200 and "Keycloak refused" in page.get_data(as_text=True)


def test_a_stored_request_keycloak_would_refuse_is_flagged_before_the_manager_approves(app, west, west_request):
    with app.app_context():
        session().get(AccessRequest, west_request).last_name = "Durand <Fils>"
        session().commit()
    page = west.get(f"/manage/requests/{west_request}").get_data(as_text=True)
    assert 'id="provisioning-problems"' in page and "Keycloak will refuse this account" in page


def test_a_request_keycloak_accepts_has_no_such_warning(west, west_request):
    assert 'id="provisioning-problems"' not in west.get(f"/manage/requests/{west_request}").get_data(as_text=True)


def test_a_revoked_person_is_unknown_on_the_email_check_at_once(app, twin, west):
    user_id = partner(twin)
    email = twin.get_user(user_id)["email"]
    check = lambda: app.test_client().post("/api/v1/email-status", json={"email": email}).json  # noqa: E731
    assert check() == {"status": "known"}  # and cached for two minutes
    post(west, f"/manage/people/{user_id}/revoke", reason="left the company")
    assert check() == {"status": "unknown"}


@pytest.mark.parametrize("typed, flagged", [("PHARMACIE CENTRALE SARL", False), ("Pharmacie Centrale de Nantes", True)])
def test_the_company_is_compared_as_a_person_would_and_a_difference_is_said_in_words(
        app, client, west, typed, flagged):
    assert submit_request(client, "de", company=typed).status_code == 302
    with app.app_context():
        request_id = session().scalars(select(AccessRequest.id)).one()
        notification = session().scalars(select(OutboxItem).where(
            OutboxItem.idempotency_key.like("%manager-notification"))).one().payload
    page = west.get(f"/manage/requests/{request_id}").get_data(as_text=True)
    said = "differs from the directory, which says “Pharmacie Centrale”"
    assert ('id="company-differs"' in page and said in page) is flagged
    in_the_managers_language = "diffère de l’annuaire, qui indique « Pharmacie Centrale »"  # manager.west reads French
    assert (in_the_managers_language in notification["text"] and in_the_managers_language in notification["html"]) is flagged


def test_a_request_that_is_not_there_leads_back_to_the_queue(west):
    page = west.get("/manage/requests/999999")
    assert page.status_code == 404
    assert 'href="/manage/?lang=en"' in page.get_data(as_text=True)


def test_a_missing_public_page_leads_nowhere_private(client):
    page = client.get("/no-such-page?lang=en")
    assert page.status_code == 404 and "/manage/" not in page.get_data(as_text=True)
