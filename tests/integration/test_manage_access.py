"""The review UI from an attacker's side: other regions, no role, no CSRF token, expired sessions, tampered ids."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, utcnow
from devstack.seed import ADMIN, MANAGER_EAST, MANAGER_WEST
from tests.support.forms import submit_request
from tests.support.manager import csrf_token, sign_in
from tests.support.oidc import browser_session, submit_login

NO_ROLE_PASSWORD = "No-Role-Demo-2026!"


def new_request(app, customer_number: str) -> int:
    email = f"person.{uuid.uuid4().hex[:8]}@partner.example"
    assert submit_request(app.test_client(), "fr", customer_number=customer_number, email=email).status_code == 302
    with app.app_context():
        return session().scalar(select(AccessRequest.id).where(AccessRequest.email == email))


@pytest.fixture
def east_request(app) -> int:
    return new_request(app, "100002")


@pytest.fixture
def west_request(app) -> int:
    return new_request(app, "100001")


@pytest.fixture(scope="module")
def no_role_user(gateway):
    email = "someone.without.role@pharmacie-centrale.example"
    user_id = gateway.ensure_user(email, "Sam", "Nobody", "en", {}, email_verified=True)
    gateway.set_password(user_id, NO_ROLE_PASSWORD)
    return email


def west(app):
    return sign_in(app.test_client(), MANAGER_WEST.email, MANAGER_WEST.password)


def test_signed_out_visitors_are_sent_to_sign_in(app, west_request):
    response = app.test_client().get(f"/manage/requests/{west_request}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/manage/login")


def test_manager_sees_only_their_own_requests_in_the_queue(app, west_request, east_request):
    page = west(app).get("/manage/").get_data(as_text=True)
    assert f"/manage/requests/{west_request}" in page and f"/manage/requests/{east_request}" not in page


def test_the_queue_shows_50_requests_a_page_oldest_first_and_its_links_keep_the_filters(app):
    start = utcnow() - timedelta(days=3)
    with app.app_context():
        session().add_all(AccessRequest(
            customer_number="100001", company="Pharmacie Centrale", first_name="Pat", last_name=f"Person{n:03d}",
            email=f"person{n:03d}@pharmacie-centrale.example", language="fr", privacy_consent_at=start,
            assigned_manager_email=MANAGER_WEST.email, created_at=start + timedelta(minutes=n)) for n in range(120))
        session().commit()
    client = west(app)

    def names(page: str) -> list[str]:
        return re.findall(r"Person(\d{3})", page)

    first = client.get("/manage/?lang=en").get_data(as_text=True)
    assert "Requests 1–50 of 120" in first and "Page 1 of 3" in first and 'rel="prev"' not in first
    assert names(first) == [f"{n:03d}" for n in range(50)]
    next_link = re.search(r'rel="next"\s+href="([^"]+)"', client.get("/manage/?q=centrale&lang=en").get_data(as_text=True))
    second = client.get(next_link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "q=centrale" in next_link.group(1) and names(second) == [f"{n:03d}" for n in range(50, 100)]
    last = client.get("/manage/?page=3&lang=en").get_data(as_text=True)
    assert "Requests 101–120 of 120" in last and names(last) == [f"{n:03d}" for n in range(100, 120)]
    assert 'rel="next"' not in last
    assert names(client.get("/manage/?page=99").get_data(as_text=True)) == names(last)  # past the end: last page
    assert names(client.get("/manage/?page=-4").get_data(as_text=True)) == names(first)
    assert names(client.get("/manage/?page=abc").get_data(as_text=True)) == names(first)


def test_other_regions_request_is_not_found(app, east_request):
    assert west(app).get(f"/manage/requests/{east_request}").status_code == 404


@pytest.mark.parametrize("action, data", [("approve", {"note": "", "confirmed": "yes"}), ("reject", {"reason": "no", "notify": "y"})])
def test_deciding_another_regions_request_is_not_found_and_changes_nothing(app, west_request, east_request, action, data):
    client = west(app)
    token = csrf_token(client, f"/manage/requests/{west_request}")
    response = client.post(f"/manage/requests/{east_request}/{action}", data={**data, "csrf_token": token})
    assert response.status_code == 404
    with app.app_context():
        assert session().get(AccessRequest, east_request).status == "pending"


def test_manager_cannot_reassign(app, west_request):
    client = west(app)
    token = csrf_token(client, f"/manage/requests/{west_request}")
    response = client.post(f"/manage/requests/{west_request}/reassign",
                           data={"manager_email": "manager.east@woundwo.example", "csrf_token": token})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/manage/requests/999999", "/manage/requests/-1", "/manage/requests/1%20OR%201=1",
                                  "/manage/requests/abc"])
def test_tampered_ids_are_not_found(app, path):
    assert west(app).get(path).status_code == 404


def test_person_without_any_b2b_role_is_stopped_at_the_sign_in(app, no_role_user):
    """Keycloak's browser flow turns away a person without a B2B role (e.g. access revoked): the review UI
    never gets a sign-in for them."""
    client = app.test_client()
    keycloak = browser_session()
    page = keycloak.get(client.get("/manage/login?lang=en").headers["Location"], timeout=10)
    answer = submit_login(keycloak, page, no_role_user, NO_ROLE_PASSWORD)
    assert answer.status_code == 401 and 'id="ww-access-ended"' in answer.text
    assert client.get("/manage/").status_code == 302, "still signed out of the review UI"


def test_partner_gets_403(app):
    from devstack.seed import PARTNER
    assert sign_in(app.test_client(), PARTNER.email, PARTNER.password).get("/manage/").status_code == 403


def test_missing_csrf_token_is_refused_with_400(app, west_request):
    response = west(app).post(f"/manage/requests/{west_request}/approve", data={"note": "ok", "confirmed": "yes"})
    assert response.status_code == 400
    with app.app_context():
        assert session().get(AccessRequest, west_request).status == "pending"


def test_expired_session_must_sign_in_again(app, west_request):
    client = west(app)
    with client.session_transaction() as bridge_session:
        bridge_session["seen_at"] = time.time() - 31 * 60
    response = client.get(f"/manage/requests/{west_request}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/manage/login")


def test_reassignment_takes_effect_at_once(app, east_request):
    admin = sign_in(app.test_client(), ADMIN.email, ADMIN.password)
    east = sign_in(app.test_client(), MANAGER_EAST.email, MANAGER_EAST.password)
    assert east.get(f"/manage/requests/{east_request}").status_code == 200
    token = csrf_token(admin, f"/manage/requests/{east_request}")
    moved = admin.post(f"/manage/requests/{east_request}/reassign",
                       data={"manager_email": MANAGER_WEST.email.upper(), "csrf_token": token})
    assert moved.status_code == 302
    assert east.get(f"/manage/requests/{east_request}").status_code == 404
    assert west(app).get(f"/manage/requests/{east_request}").status_code == 200


def test_admin_sees_every_region_and_failing_deliveries(app, west_request, east_request):
    admin = sign_in(app.test_client(), ADMIN.email, ADMIN.password)
    page = admin.get("/manage/").get_data(as_text=True)
    assert f"/manage/requests/{west_request}" in page and f"/manage/requests/{east_request}" in page
    assert admin.get("/manage/outbox").status_code == 200
    assert west(app).get("/manage/outbox").status_code == 404


def test_session_cookie_is_httponly_and_lax(make_app, keycloak, demo):
    client = make_app(ENV="production").test_client()
    client.get("/manage/login")
    cookie = client.get_cookie("woundwo_bridge_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax" and cookie.secure


def test_logout_ends_the_keycloak_session_too(app):
    client = west(app)
    token = csrf_token(client, "/manage/")
    response = client.post("/manage/logout", data={"csrf_token": token})
    location = response.headers["Location"]
    assert response.status_code == 302 and "/protocol/openid-connect/logout" in location
    assert "id_token_hint=" in location and "post_logout_redirect_uri=" in location
    assert client.get("/manage/").status_code == 302
