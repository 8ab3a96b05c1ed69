"""The WOUNDWO B2B bridge: what Keycloak lacks for B2B access, as a small Flask service."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from bridge import api, cli, config, db, errors, headers, health, keycloak_gateway, manage, metrics, public
from bridge.email_status import EmailStatusService, TTLCache
from bridge.access import has_access
from bridge.extensions import babel, csrf, limiter
from bridge.i18n import language_url, select_locale
from bridge.manager_auth import ManagerSignIn


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: defaults, then BRIDGE_* environment variables, then `overrides` (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_prefixed_env("BRIDGE")
    app.config.update(overrides or {})
    config.check(app.config)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    development = app.config["ENV"] == "development"
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not development,
        # The manager UI's absolute session lifetime; MANAGER_IDLE_MINUTES ends idle ones sooner.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=10),
    )
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    gateway = keycloak_gateway.from_config(app.config)
    app.extensions["bridge.keycloak"] = gateway
    app.extensions["bridge.email_status"] = EmailStatusService(
        # Only a cache miss asks Keycloak, under the hard deadline; hits never leave this thread.
        lambda email: gateway.within(lambda: has_access(gateway, email)), TTLCache(),
        float(app.config["EMAIL_STATUS_TTL_KNOWN"]), float(app.config["EMAIL_STATUS_TTL_UNKNOWN"]),
        float(app.config["EMAIL_STATUS_FAILURE_PAUSE"]),
    )

    app.register_blueprint(health.blueprint)
    app.register_blueprint(metrics.blueprint)
    app.register_blueprint(api.blueprint, url_prefix="/api/v1")
    app.register_blueprint(public.blueprint)
    app.register_blueprint(manage.blueprint, url_prefix="/manage")
    app.extensions["bridge.manager_sign_in"] = ManagerSignIn(app)
    app.context_processor(lambda: {"current_language": str(get_locale()), "language_url": language_url})
    cli.init_app(app)
    return app
