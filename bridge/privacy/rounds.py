"""The worker's privacy round (every ten minutes, beside the follow-up of pending requests)."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy.exc import DBAPIError

from bridge.core.db import session
from bridge.delivery.handlers import WORKER_KEYCLOAK
from bridge.keycloak.interface import KeycloakRefused, KeycloakUnavailable
from bridge.privacy import inactivity, retention

log = logging.getLogger(__name__)


def privacy_round(now: datetime) -> dict[str, dict[str, int]]:
    """Retention periods, then inactive accounts, as of `now` (inside the app context). A part that fails waits
    for the next round and the worker goes on: a Keycloak that does not answer, or another worker writing the
    same rows at the same moment (a partner listed or a notice queued twice: the unique keys refuse the second;
    a lock conflict on PostgreSQL)."""
    app = current_app
    return {
        "forgotten": _guarded("retention", lambda: retention.forget(session(), now, app.config, app.secret_key)),
        "inactive": _guarded("inactive partners", lambda: inactivity.watch(
            session(), app.extensions[WORKER_KEYCLOAK], app.extensions["bridge.broadcast"], now, app.config)),
    }


def _guarded(part: str, run) -> dict[str, int]:
    try:
        return run()
    except (KeycloakUnavailable, KeycloakRefused, DBAPIError) as exc:
        session().rollback()
        # The type only: a database error's text carries the statement's parameters (addresses).
        log.warning("privacy round: %s skipped until the next round (%s)", part, type(exc).__name__)
        return {}
