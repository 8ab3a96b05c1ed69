"""Bridge settings: required values are named when missing; environment and overrides apply in order."""

from __future__ import annotations

import pytest

from bridge import create_app
from bridge.config import ConfigurationError

REQUIRED = {"SECRET_KEY": "s", "PUBLIC_URL": "http://localhost:8000/", "KEYCLOAK_URL": "http://localhost:8080",
            "KEYCLOAK_CLIENT_SECRET": "c", "MANAGER_CLIENT_SECRET": "m", "FALLBACK_MANAGER_EMAIL": "b2b-team@woundwo.example"}


def test_missing_settings_are_named_by_their_environment_variable(monkeypatch):
    for key in REQUIRED:
        monkeypatch.delenv(f"BRIDGE_{key}", raising=False)
    with pytest.raises(ConfigurationError) as error:
        create_app({"SECRET_KEY": "s"})
    assert "BRIDGE_PUBLIC_URL" in str(error.value) and "BRIDGE_KEYCLOAK_CLIENT_SECRET" in str(error.value)
    assert "BRIDGE_SECRET_KEY" not in str(error.value)


def test_environment_is_read_and_overrides_win(monkeypatch, tmp_path):
    monkeypatch.setenv("BRIDGE_KEYCLOAK_REALM", "from-env")
    monkeypatch.setenv("BRIDGE_SMTP_PORT", "2525")
    app = create_app({**REQUIRED, "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite'}", "SMTP_PORT": 1025})
    assert app.config["KEYCLOAK_REALM"] == "from-env"
    assert app.config["SMTP_PORT"] == 1025
    assert app.config["PUBLIC_URL"] == "http://localhost:8000"


def test_production_cookies_are_secure_and_named_for_the_bridge(tmp_path):
    app = create_app({**REQUIRED, "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite'}"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_NAME"] == "woundwo_bridge_session"
