"""Retention: what the worker forgets, and when (docs/privacy.md).

- A request closed without access (rejected, expired) or whose access ended (revoked) loses its personal
  fields BRIDGE_REQUEST_RETENTION_DAYS after its last change; its audit events and e-mails with it.
- An e-mail the worker sent loses its content BRIDGE_MAIL_RETENTION_DAYS after it went out; one that failed for
  good, BRIDGE_REQUEST_RETENTION_DAYS after it was queued (admins may retry it until then).
- An ended access recorded without a request keeps the address as a keyed hash after the same period.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bridge.core.models import AccessRequest, AuditEvent, OutboxItem, OutboxStatus, RequestStatus
from bridge.privacy import redaction

log = logging.getLogger(__name__)
CLOSED = (RequestStatus.REJECTED, RequestStatus.EXPIRED, RequestStatus.REVOKED)


def forget(session: Session, now: datetime, config: Mapping, secret: str) -> dict[str, int]:
    """Apply the retention periods as of `now` and commit; return how many of each were forgotten."""
    requests_before = now - timedelta(days=config["REQUEST_RETENTION_DAYS"])
    mails_before = now - timedelta(days=config["MAIL_RETENTION_DAYS"])
    closed = list(session.scalars(select(AccessRequest).where(
        AccessRequest.status.in_(CLOSED), AccessRequest.updated_at <= requests_before, AccessRequest.email != "").order_by(AccessRequest.id)))
    for request in closed:
        redaction.anonymize(session, request, secret)
    done = {
        "requests": len(closed),
        "events": redaction.redact_events(session, session.scalars(select(AuditEvent).where(
            AuditEvent.request_id.is_(None), AuditEvent.at <= requests_before,
            AuditEvent.detail["email"].as_string() != "")), secret),
        "mails": redaction.redact_mails(session, select(OutboxItem).where(or_(
            and_(OutboxItem.status == OutboxStatus.SENT, OutboxItem.done_at <= mails_before),
            and_(OutboxItem.status == OutboxStatus.FAILED, OutboxItem.created_at <= requests_before)))),
    }
    session.commit()
    if any(done.values()):
        log.info("retention: personal data forgotten: %s", done)
    return done
