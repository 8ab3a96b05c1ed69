"""Bridge settings: required values are named when missing; environment and overrides apply in order."""

from __future__ import annotations

import pytest

from bridge import create_app
from bridge.core.settings import ConfigurationError
from devstack.settings import stack_env, DEV_PORTS

DEV_SECRET_KEY = stack_env(DEV_PORTS)["BRIDGE_SECRET_KEY"]

REQUIRED = {"SECRET_KEY": "a-long-random-production-key-0123456789", "PUBLIC_URL": "http://localhost:8000/", "KEYCLOAK_URL": "http://localhost:8080",
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


@pytest.mark.parametrize("variable, value, expected", [
    ("KEYCLOAK_TIMEOUT", "abc", "BRIDGE_KEYCLOAK_TIMEOUT='abc': Input should be a valid number"),
    ("KEYCLOAK_TIMEOUT", "0", "BRIDGE_KEYCLOAK_TIMEOUT='0': Input should be greater than 0"),
    ("SMTP_PORT", "99999", "BRIDGE_SMTP_PORT='99999': Input should be less than 65536"),
    ("SMTP_STARTTLS", "maybe", "BRIDGE_SMTP_STARTTLS='maybe': Input should be a valid boolean"),
    ("PUBLIC_URL", "localhost:8000", "BRIDGE_PUBLIC_URL='localhost:8000': expected an http(s) URL"),
    ("CORS_ORIGINS", "http://a.example, ftp://b", "BRIDGE_CORS_ORIGINS="),
    ("EMAIL_CHECK_LIMIT_PER_IP", "lots", "BRIDGE_EMAIL_CHECK_LIMIT_PER_IP='lots': expected limits such as"),
    ("EMAIL_STATUS_TTL_UNKNOWN", "60", "BRIDGE_EMAIL_STATUS_TTL_UNKNOWN='60': Input should be less than or equal to 30"),
    ("TIME_ZONE", "Mars/Olympus", "BRIDGE_TIME_ZONE='Mars/Olympus': expected a time zone"),
    ("CUSTOMER_NUMBER_PATTERN", "[0-9", "BRIDGE_CUSTOMER_NUMBER_PATTERN='[0-9': expected a regular expression"),
    ("FALLBACK_MANAGER_EMAIL", "team", "BRIDGE_FALLBACK_MANAGER_EMAIL='team': expected an e-mail address"),
    ("DATABASE_URL", "not a url", "BRIDGE_DATABASE_URL='not a url': expected a SQLAlchemy URL"),
    ("LOG_LEVEL", "LOUD", "BRIDGE_LOG_LEVEL='LOUD': Input should be 'DEBUG', 'INFO', 'WARNING' or 'ERROR'"),
])
def test_a_malformed_setting_is_named_with_what_it_expects(monkeypatch, tmp_path, variable, value, expected):
    monkeypatch.setenv(f"BRIDGE_{variable}", value)
    with pytest.raises(ConfigurationError) as error:
        create_app({key: value for key, value in REQUIRED.items() if key != variable})
    assert expected in error.value.message and "\n" not in error.value.message
    assert error.value.code == error.value.message, "exits with the message, as sys.exit('...') does"


def test_a_malformed_secret_is_named_but_never_shown(monkeypatch):
    with pytest.raises(ConfigurationError) as error:
        create_app({**REQUIRED, "SECRET_KEY": "", "METRICS_TOKEN": 12})
    assert "BRIDGE_SECRET_KEY" in error.value.message and "BRIDGE_METRICS_TOKEN" in error.value.message
    assert "12" not in error.value.message


def test_values_are_typed_once(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIDGE_KEYCLOAK_TIMEOUT", "2.5")
    monkeypatch.setenv("BRIDGE_EMAIL_CHECK_ENABLED", "false")
    monkeypatch.setenv("BRIDGE_CORS_ORIGINS", "http://localhost:8080/, https://id.example.com")
    app = create_app({**REQUIRED, "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite'}"})
    assert app.config["KEYCLOAK_TIMEOUT"] == 2.5 and app.config["EMAIL_CHECK_ENABLED"] is False
    assert app.config["CORS_ORIGINS"] == ("http://localhost:8080", "https://id.example.com")
    assert app.config["SIGN_IN_URL"] == "http://localhost:8080/realms/woundwo/account"


@pytest.mark.parametrize("key, expected", [
    ("change-me-to-a-long-random-string", "BRIDGE_SECRET_KEY is a value published in this repository"),
    (DEV_SECRET_KEY, "BRIDGE_SECRET_KEY is a value published in this repository"),
    ("short-but-not-published", "BRIDGE_SECRET_KEY is shorter than 32 bytes"),
])
def test_production_refuses_a_weak_secret_key_with_one_line(key, expected):
    with pytest.raises(ConfigurationError) as error:
        create_app({**REQUIRED, "SECRET_KEY": key})
    assert expected in error.value.message and key not in error.value.message


def test_production_refuses_the_env_example_placeholders():
    with pytest.raises(ConfigurationError) as error:
        create_app({**REQUIRED, "KEYCLOAK_CLIENT_SECRET": "change-me"})
    assert "BRIDGE_KEYCLOAK_CLIENT_SECRET still set to" in error.value.message


def test_development_may_use_the_dev_key(tmp_path):
    app = create_app({**REQUIRED, "ENV": "development", "SECRET_KEY": DEV_SECRET_KEY,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite'}"})
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY
