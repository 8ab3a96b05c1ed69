"""The audit trail: who did what to which request (or person), when and from where."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.core.models import AuditEvent


def record(session: Session, actor: str, action: str, request_id: int | None, remote_addr: str, now: datetime,
           **detail) -> None:
    """Add an event to the caller's transaction."""
    session.add(AuditEvent(at=now, actor=actor, action=action, request_id=request_id, detail=detail,
                           remote_addr=remote_addr))


def history(session: Session, request_id: int) -> list[AuditEvent]:
    """What happened to a request, oldest first."""
    return list(session.scalars(select(AuditEvent).where(AuditEvent.request_id == request_id).order_by(AuditEvent.id)))
