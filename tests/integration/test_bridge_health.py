"""/healthz and /readyz of the bridge against the real Keycloak, and against a Keycloak that is down or hangs."""

from __future__ import annotations

import socket
import time

import pytest

from bridge import create_app
from tests.ports import free_ports


def bridge_client(tmp_path, keycloak_url: str, secret: str, database_file: str = "bridge.sqlite"):
    app = create_app({
        "ENV": "development", "SECRET_KEY": "test", "PUBLIC_URL": "http://localhost:18000",
        "DATABASE_URL": f"sqlite:///{tmp_path / database_file}",
        "KEYCLOAK_URL": keycloak_url, "KEYCLOAK_CLIENT_SECRET": secret,
    })
    return app.test_client()


@pytest.fixture
def silent_listener():
    """A port that accepts TCP connections but never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"http://localhost:{server.getsockname()[1]}"


def test_healthz_answers_while_keycloak_is_down(tmp_path):
    client = bridge_client(tmp_path, f"http://localhost:{free_ports()[0]}", "whatever")
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_is_ready_with_the_real_keycloak(tmp_path, keycloak, test_env):
    client = bridge_client(tmp_path, keycloak.url, test_env["BRIDGE_KEYCLOAK_CLIENT_SECRET"])
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json == {"status": "ready"}


def test_readyz_names_a_wrong_service_account_secret(tmp_path, keycloak):
    response = bridge_client(tmp_path, keycloak.url, "wrong-secret").get("/readyz")
    assert response.status_code == 503
    assert response.json["reason"] == "keycloak refused the service account"


def test_readyz_is_503_within_two_seconds_when_nothing_listens(tmp_path):
    client = bridge_client(tmp_path, f"http://localhost:{free_ports()[0]}", "whatever")
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 2
    assert response.status_code == 503 and response.json == {"status": "unavailable", "reason": "keycloak unreachable"}


def test_readyz_is_503_within_two_seconds_when_keycloak_never_answers(tmp_path, silent_listener):
    client = bridge_client(tmp_path, silent_listener, "whatever")
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 2
    assert response.status_code == 503 and response.json["reason"] == "keycloak unreachable"
    assert b"Traceback" not in response.data


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path, keycloak, test_env):
    client = bridge_client(tmp_path, keycloak.url, test_env["BRIDGE_KEYCLOAK_CLIENT_SECRET"],
                           database_file="missing-folder/bridge.sqlite")
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["reason"] == "database unreachable"
