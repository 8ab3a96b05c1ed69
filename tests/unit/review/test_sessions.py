"""The review UI's session: signing out ends it on the server too, and its 10-hour limit does not roll."""

from __future__ import annotations

import time

from bridge.keycloak.access import MANAGER_ROLE
from tests.support.manager import csrf_token

WEST = "manager.west@woundwo.example"


def copy_of(app, client):
    """A second browser holding a copy of `client`'s session cookie (as a thief would)."""
    thief = app.test_client()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    thief.set_cookie(cookie.key, cookie.value)
    return thief


def test_signing_out_ends_the_session_for_a_copied_cookie_too(app, reviewer_client):
    manager = reviewer_client(WEST, MANAGER_ROLE)
    assert manager.get("/manage/").status_code == 200
    thief = copy_of(app, manager)
    assert thief.get("/manage/").status_code == 200
    response = manager.post("/manage/logout", data={"csrf_token": csrf_token(manager, "/manage/")})
    assert response.status_code == 302
    after = thief.get("/manage/")
    assert after.status_code == 302 and after.headers["Location"].endswith("/manage/login")


def test_the_ten_hour_limit_counts_from_the_sign_in_however_active_the_manager_is(app, reviewer_client):
    manager = reviewer_client(WEST, MANAGER_ROLE)
    with manager.session_transaction() as session:
        session["signed_in_at"] = time.time() - 10 * 3600 - 60
    response = manager.get("/manage/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/manage/login")


def test_a_session_of_nine_hours_with_recent_activity_goes_on(app, reviewer_client):
    manager = reviewer_client(WEST, MANAGER_ROLE)
    with manager.session_transaction() as session:
        session["signed_in_at"] = time.time() - 9 * 3600
    assert manager.get("/manage/").status_code == 200
