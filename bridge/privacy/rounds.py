"""The worker's privacy round (every ten minutes, beside the follow-up of pending requests)."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy.exc import IntegrityError

from bridge.core.db import session
from bridge.delivery.handlers import WORKER_KEYCLOAK
from bridge.keycloak.interface import KeycloakRefused, KeycloakUnavailable
from bridge.privacy import inactivity, retention

log = logging.getLogger(__name__)


def privacy_round(now: datetime) -> dict[str, dict[str, int]]:
    """Retention periods, then inactive accounts, as of `now` (inside the app context). A Keycloak that fails
    skips the inactive accounts until the next round, and so does another worker that wrote the same rows a
    moment earlier (a partner listed or a notice queued twice: the unique keys refuse the second); the worker goes
    on."""
    app = current_app
    done = {"forgotten": retention.forget(session(), now, app.config, app.secret_key), "inactive": {}}
    try:
        done["inactive"] = inactivity.watch(session(), app.extensions[WORKER_KEYCLOAK], app.extensions["bridge.broadcast"],
                                            now, app.config)
    except (KeycloakUnavailable, KeycloakRefused, IntegrityError) as exc:
        session().rollback()
        log.warning("inactive partners not looked at this round: %s", type(exc).__name__)
    return done
