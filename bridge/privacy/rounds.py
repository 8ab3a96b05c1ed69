"""The worker's privacy round (every ten minutes, beside the follow-up of pending requests)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from bridge.core.db import session
from bridge.delivery.handlers import WORKER_KEYCLOAK
from bridge.privacy import inactivity, retention


def privacy_round(now: datetime) -> dict[str, dict[str, int]]:
    """Retention periods, then inactive accounts, as of `now` (inside the app context)."""
    app = current_app
    return {
        "forgotten": retention.forget(session(), now, app.config, app.secret_key),
        "inactive": inactivity.watch(session(), app.extensions[WORKER_KEYCLOAK], app.extensions["bridge.broadcast"],
                                     now, app.config),
    }
