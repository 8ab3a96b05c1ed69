"""The WOUNDWO B2B bridge: what Keycloak lacks for B2B access, as a small Flask service.

One package per feature (email_check, access_requests, contact, review, team, delivery, directory, realm,
privacy, confirmation) above a common core and the Keycloak interface; docs/architecture.md draws the layers.
"""

from __future__ import annotations

import logging

from flask import Flask
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from bridge.access_requests import views as public
from bridge.confirmation import cli as confirmation_cli
from bridge.confirmation.rounds import worker_round as confirmation_round
from bridge.contact import views as contact
from bridge.core import cli as db_cli
from bridge.core import db, errors, headers, health, metrics, settings
from bridge.core.cookie_session import CookieFirstSessionInterface
from bridge.core.broadcast import ACCESS_CHANGED, Broadcast
from bridge.core.extensions import babel, csrf, limiter
from bridge.core.i18n import country_name, language_name, language_url, region_name, select_locale
from bridge.delivery import cli as delivery_cli
from bridge.delivery.handlers import WORKER_KEYCLOAK
from bridge.delivery.mailer import MailTransport, SmtpTransport
from bridge.directory import cli as directory_cli
from bridge.email_check import views as api
from bridge.realm import cli as realm_cli
from bridge.email_check.pending import has_pending_request
from bridge.email_check.service import EmailStatusService, TTLCache
from bridge.keycloak import gateway as keycloak_gateway
from bridge.keycloak.access import has_access
from bridge.keycloak.interface import KeycloakDirectory
from bridge.privacy import cli as privacy_cli
from bridge.privacy.rounds import privacy_round
from bridge.review import sessions
from bridge.review import views as manage
from bridge.review.sign_in import ManagerSignIn
from bridge.team import views as team


def create_app(overrides: dict | None = None, *, keycloak: KeycloakDirectory | None = None,
               mail: MailTransport | None = None) -> Flask:
    """Build the app: defaults, then BRIDGE_* environment variables, then `overrides` (tests).

    `keycloak` and `mail` replace the python-keycloak gateway and the SMTP transport (fast tests).
    """
    app = Flask(__name__, instance_relative_config=True)
    overrides = overrides or {}
    typed = settings.load(overrides)
    app.config.update(typed.as_config())
    # Flask's and its extensions' own keys a test may set (TESTING, RATELIMIT_ENABLED, WTF_CSRF_ENABLED, …).
    app.config.update({key: value for key, value in overrides.items() if key.lower() not in settings.Settings.model_fields})
    if not logging.getLogger().handlers:
        logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=typed.env != settings.Environment.DEVELOPMENT,
        # The manager UI's session cookie lives as long as the session may (bridge/review/sessions.py).
        PERMANENT_SESSION_LIFETIME=sessions.ABSOLUTE_LIMIT,
        BABEL_DEFAULT_TIMEZONE=typed.time_zone,
        # Every request body, chunked ones included (Werkzeug stops reading there and answers 413); the
        # request form needs a few KB, the JSON API sets 1 KB for itself.
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.session_interface = CookieFirstSessionInterface()
    if typed.trusted_proxies:
        hops = typed.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    directory = keycloak or keycloak_gateway.from_config(app.config)
    app.extensions["bridge.keycloak"] = directory
    app.extensions[WORKER_KEYCLOAK] = keycloak or keycloak_gateway.from_config(app.config, typed.worker_keycloak_timeout)
    app.extensions["bridge.mail"] = mail or SmtpTransport(app.config)
    email_status = app.extensions["bridge.email_status"] = EmailStatusService(
        # Only a cache miss asks Keycloak, under the hard deadline; hits never leave this thread.
        lambda email: directory.within(lambda: has_access(directory, email)), TTLCache(),
        typed.email_status_ttl_known, typed.email_status_ttl_unknown, typed.email_status_failure_pause,
        pending=has_pending_request,
    )
    broadcast = app.extensions["bridge.broadcast"] = Broadcast(typed.ratelimit_storage_uri)
    # Someone got or lost access (in this process or another): the cached answer about them goes.
    broadcast.subscribe(ACCESS_CHANGED, email_status.forget)

    app.register_blueprint(health.blueprint)
    app.register_blueprint(metrics.blueprint)
    app.register_blueprint(api.blueprint, url_prefix="/api/v1")
    app.register_blueprint(public.blueprint)
    app.register_blueprint(contact.blueprint)
    app.register_blueprint(manage.blueprint, url_prefix="/manage")
    app.extensions["bridge.manager_sign_in"] = ManagerSignIn(app)
    app.register_blueprint(team.blueprint, url_prefix="/team")
    app.extensions["bridge.team_sign_in"] = ManagerSignIn(app, "/team")
    app.context_processor(lambda: {"current_language": str(get_locale()), "language_url": language_url,
                                   "language_name": language_name, "country_name": country_name,
                                   "region_name": region_name})
    app.extensions[delivery_cli.PERIODIC] = [privacy_round, confirmation_round]
    for command in (db_cli.db_command, directory_cli.customers_command, delivery_cli.worker_command,
                    delivery_cli.activations_command, delivery_cli.requests_command, realm_cli.realm_command,
                    privacy_cli.privacy_command, confirmation_cli.confirmations_command):
        app.cli.add_command(command)
    return app
