"""Example portal app: signs people in with Keycloak (client b2b-portal) and shows who they are.

The pattern real WOUNDWO portal apps follow; docs/portal-integration.md explains it.
Run from the repository root: python -m flask --app examples.portal run --port 8001
"""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from examples.portal import config, views
from examples.portal.auth import KeycloakSignIn

csrf = CSRFProtect()


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: defaults, then PORTAL_* environment variables, then `overrides` (tests)."""
    app = Flask(__name__)
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_prefixed_env("PORTAL")
    app.config.update(overrides or {})
    config.check(app.config)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Secure needs https; the dev stack serves the portal on plain http://localhost.
        SESSION_COOKIE_SECURE=app.config["URL"].startswith("https://"),
    )
    csrf.init_app(app)
    app.extensions["portal.keycloak"] = KeycloakSignIn(app)
    app.register_blueprint(views.blueprint)
    return app
