"""The worker's privacy round (every ten minutes, beside the follow-up of pending requests)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from bridge.core.db import session
from bridge.delivery.handlers import WORKER_KEYCLOAK, guarded
from bridge.privacy import inactivity, retention


# When this process last listed the partners (the worker lists them once a day: inactivity.record_sign_ins).
LISTED_AT = "bridge.partners_listed_at"
LISTING_INTERVAL = timedelta(days=1)


def privacy_round(now: datetime) -> dict[str, dict[str, int]]:
    """Retention periods, then inactive accounts, as of `now` (inside the app context). A part that fails waits
    for the next round and the worker goes on: a Keycloak that does not answer, or another worker writing the
    same rows at the same moment (a partner listed or a notice queued twice: the unique keys refuse the second;
    a lock conflict on PostgreSQL)."""
    app = current_app
    listed = app.extensions.get(LISTED_AT)
    list_partners = listed is None or not listed <= now < listed + LISTING_INTERVAL
    inactive = guarded("privacy round: inactive partners", lambda: inactivity.watch(
        session(), app.extensions[WORKER_KEYCLOAK], app.extensions["bridge.broadcast"], now, app.config, list_partners))
    if list_partners:  # listed, or tried: a listing that does not finish is tried again the next day
        app.extensions[LISTED_AT] = now
    return {
        "forgotten": guarded("privacy round: retention",
                             lambda: retention.forget(session(), now, app.config, app.secret_key)),
        "inactive": inactive,
    }

