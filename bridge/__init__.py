"""The WOUNDWO B2B bridge: what Keycloak lacks for B2B access, as a small Flask service."""

from __future__ import annotations

from flask import Flask

from bridge import cli, config, db, health
from bridge.keycloak_gateway import KeycloakGateway


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: defaults, then BRIDGE_* environment variables, then `overrides` (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_prefixed_env("BRIDGE")
    app.config.update(overrides or {})
    config.check(app.config)
    development = app.config["ENV"] == "development"
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not development,
    )

    db.init_app(app)
    app.extensions["bridge.keycloak"] = KeycloakGateway(
        app.config["KEYCLOAK_URL"], app.config["KEYCLOAK_REALM"], app.config["KEYCLOAK_CLIENT_ID"],
        app.config["KEYCLOAK_CLIENT_SECRET"], float(app.config["KEYCLOAK_TIMEOUT"]),
    )
    app.register_blueprint(health.blueprint)
    cli.init_app(app)
    return app
