"""The review UI's sessions: a signed cookie, bound to an id the server can end.

The cookie alone would keep working wherever a copy of it survives; so each sign-in gets a random id,
signing out records it as ended, and every request checks it. The 10-hour limit counts from the
sign-in (the cookie's own lifetime rolls with every request); idle sessions end sooner
(BRIDGE_MANAGER_IDLE_MINUTES).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import time
from collections.abc import Mapping

from flask import Response, current_app, flash, redirect, request, session as browser_session, url_for
from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy.orm import Session

from bridge.core import db
from bridge.core.models import EndedSession

ABSOLUTE_LIMIT = timedelta(hours=10)


def new_id() -> str:
    """A fresh, unguessable session id."""
    return secrets.token_urlsafe(24)


def end(session: Session, sid: str, now: datetime) -> None:
    """Refuse this session from now on; forget ended sessions that are past the limit anyway."""
    session.execute(delete(EndedSession).where(EndedSession.ended_at < now - ABSOLUTE_LIMIT))
    session.merge(EndedSession(sid=sid, ended_at=now))
    session.commit()


def has_ended(session: Session, sid: str | None) -> bool:
    """Whether a session id was signed out (a session without an id predates this check: ended too)."""
    return sid is None or session.get(EndedSession, sid) is not None


def expired_or_ended(session: Session, data: Mapping, idle_seconds: float, now: float) -> bool:
    """Whether a signed-in browser session (`data`: its sid, signed_in_at and seen_at) may no longer be used:
    idle too long, past the absolute limit, or signed out."""
    return (now - data.get("seen_at", 0) > idle_seconds
            or now - data.get("signed_in_at", 0) > ABSOLUTE_LIMIT.total_seconds()
            or has_ended(session, data.get("sid")))


def require(key: str, login_endpoint: str, home_endpoint: str) -> Response | None:
    """None when the browser's session holds `key` and may still be used (and it counts as seen now); else a
    redirect to sign in, which comes back to the page asked for (a GET) or to `home_endpoint`."""
    now = time.time()
    if key in browser_session and expired_or_ended(db.session(), browser_session,
                                                   current_app.config["MANAGER_IDLE_MINUTES"] * 60, now):
        browser_session.clear()
        flash(_("Your session had expired. Please sign in again."), "info")
    if key not in browser_session:
        browser_session["next"] = request.full_path if request.method == "GET" else url_for(home_endpoint)
        return redirect(url_for(login_endpoint))
    browser_session["seen_at"] = now
    return None
