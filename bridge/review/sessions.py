"""The review UI's sessions: a signed cookie, bound to an id the server can end.

The cookie alone would keep working wherever a copy of it survives; so each sign-in gets a random id,
signing out records it as ended, and every request checks it. The 10-hour limit counts from the
sign-in (the cookie's own lifetime rolls with every request); idle sessions end sooner
(BRIDGE_MANAGER_IDLE_MINUTES).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

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
