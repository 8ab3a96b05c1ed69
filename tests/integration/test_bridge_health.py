"""/healthz and /readyz of the bridge against the real Keycloak, and against a Keycloak that is down or hangs."""

from __future__ import annotations

import time


def test_healthz_answers_while_keycloak_is_down(make_app, nothing_listens):
    response = make_app(KEYCLOAK_URL=nothing_listens).test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_is_ready_with_the_real_keycloak(make_app, keycloak):
    response = make_app().test_client().get("/readyz")
    assert response.status_code == 200 and response.json == {"status": "ready"}


def test_readyz_names_a_wrong_service_account_secret(make_app, keycloak):
    response = make_app(KEYCLOAK_CLIENT_SECRET="wrong-secret").test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["reason"] == "keycloak refused the service account"


def test_readyz_is_503_within_two_seconds_when_nothing_listens(make_app, nothing_listens):
    client = make_app(KEYCLOAK_URL=nothing_listens).test_client()
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 2
    assert response.status_code == 503 and response.json == {"status": "unavailable", "reason": "keycloak unreachable"}


def test_readyz_is_503_within_two_seconds_when_keycloak_never_answers(make_app, silent_listener):
    client = make_app(KEYCLOAK_URL=silent_listener).test_client()
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 2
    assert response.status_code == 503 and response.json["reason"] == "keycloak unreachable"
    assert b"Traceback" not in response.data


def test_readyz_is_503_when_the_database_is_unreachable(make_app, keycloak, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'missing-folder' / 'bridge.sqlite'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.json["reason"] == "database unreachable"
