"""Portal settings: defaults here, then PORTAL_* environment variables, then a test's overrides.

Secrets and URLs have no default; the dev values are in devstack/settings.py (stack_env).
"""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,
    # The portal's own public base URL; redirect URIs are built from it, never from the Host header.
    "URL": None,
    # Keycloak's base URL as this app reaches it, e.g. http://localhost:8080.
    "KEYCLOAK_URL": None,
    "KEYCLOAK_REALM": "woundwo",
    # Tokens must carry exactly this issuer. Default: KEYCLOAK_URL/realms/KEYCLOAK_REALM. Set it when
    # the app reaches Keycloak by another address than browsers do (a container network).
    "ISSUER": None,
    "CLIENT_ID": "b2b-portal",
    "CLIENT_SECRET": None,
    # Seconds after sign-in (or the last refresh) before the portal asks Keycloak again whether the
    # session still stands. None: when the access token expires (the realm's lifespan, 5 minutes).
    "REFRESH_AFTER": None,
    # Seconds of clock difference tolerated on exp/iat between this host and Keycloak.
    "CLOCK_LEEWAY": 30,
    "KEYCLOAK_TIMEOUT": 10,
    # Distinct from the bridge's cookie: browsers share cookies across ports of one host.
    "SESSION_COOKIE_NAME": "woundwo_portal_session",
}

REQUIRED = ("SECRET_KEY", "URL", "KEYCLOAK_URL", "CLIENT_SECRET")


class ConfigurationError(RuntimeError):
    """A required setting is missing."""


def check(config: dict) -> None:
    """Refuse to start with missing required settings, naming the environment variables; fill derived ones."""
    missing = [f"PORTAL_{key}" for key in REQUIRED if not config.get(key)]
    if missing:
        raise ConfigurationError("missing settings: " + ", ".join(missing))
    config["URL"] = str(config["URL"]).rstrip("/")
    config["KEYCLOAK_URL"] = str(config["KEYCLOAK_URL"]).rstrip("/")
    config["ISSUER"] = str(config["ISSUER"] or f"{config['KEYCLOAK_URL']}/realms/{config['KEYCLOAK_REALM']}").rstrip("/")


def discovery_url(config: dict) -> str:
    """The realm's OpenID Connect discovery document."""
    return f"{config['KEYCLOAK_URL']}/realms/{config['KEYCLOAK_REALM']}/.well-known/openid-configuration"
