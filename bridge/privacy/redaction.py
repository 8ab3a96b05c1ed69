"""What of a request, its audit trail and its e-mails is personal, and how it is removed.

A request keeps what the decision history needs (customer number, company, status, dates, who decided,
the Keycloak id as a pseudonymous reference) and loses what names a person. Its audit events keep who
did what and when; free text a manager wrote about the person becomes "[erased]", an address becomes a keyed hash
(the same address always gives the same hash, so events about one person still add up). An e-mail row
keeps its kind, status, dates and idempotency key; its content goes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.core.addresses import keyed_hash
from bridge.core.models import AccessRequest, AuditEvent, OutboxItem, OutboxKind

ERASED = "[erased]"
# The request's columns that name or describe a person, with the value they keep afterwards.
PERSONAL_FIELDS = {"first_name": "", "last_name": "", "email": "", "phone": "", "job_title": "", "message": "",
                   "decision_note": ""}
# Audit details a manager typed about the person, by action (other actions' "reason" is a code).
FREE_TEXT = {"approved": ("note",), "rejected": ("reason",), "revoked": ("reason",)}
REDACTED_PAYLOAD = {"redacted": True}


def is_anonymized(request: AccessRequest) -> bool:
    return request.email == ""


def redacted_detail(action: str, detail: dict, secret: str) -> dict:
    """An audit event's detail without what names the person."""
    kept = dict(detail)
    for key in FREE_TEXT.get(action, ()):
        if kept.get(key):
            kept[key] = ERASED
    if isinstance(kept.get("changes"), dict):  # a manager's corrections: which fields, not their values
        kept["changes"] = {name: [ERASED, ERASED] for name in kept["changes"]}
    if kept.get("email"):  # the key stays (empty): the review UI reads it
        kept["email_hash"], kept["email"] = keyed_hash(secret, kept["email"]), ""
    return kept


def redact_events(session: Session, events, secret: str) -> int:
    """Redact audit events in the caller's transaction; return how many changed."""
    changed = 0
    for event in events:
        detail = redacted_detail(event.action, event.detail or {}, secret)
        if detail != event.detail:
            event.detail, changed = detail, changed + 1
    return changed


def redact_mails(session: Session, query) -> int:
    """Drop the content of the e-mail rows `query` selects, in the caller's transaction; return how many."""
    changed = 0
    rows = query.where(OutboxItem.kind == OutboxKind.MAIL, OutboxItem.payload["to"].as_string().is_not(None))
    for item in session.scalars(rows.order_by(None).order_by(OutboxItem.id)):  # one order for every worker
        item.payload, changed = dict(REDACTED_PAYLOAD), changed + 1
    return changed


def mails_of_request(request_id: int):
    """The e-mail rows a request caused (their idempotency keys start with request:<id>:)."""
    return select(OutboxItem).where(OutboxItem.idempotency_key.startswith(f"request:{request_id}:"))


def anonymize(session: Session, request: AccessRequest, secret: str) -> None:
    """Remove the person from a closed request, its audit events and its e-mails (caller's transaction)."""
    for field, value in PERSONAL_FIELDS.items():
        setattr(request, field, value)
    redact_events(session, session.scalars(select(AuditEvent).where(AuditEvent.request_id == request.id)), secret)
    redact_mails(session, mails_of_request(request.id))


def events_naming(email: str):
    """Audit events whose detail carries this address (e.g. an ended access without a request)."""
    return select(AuditEvent).where(AuditEvent.detail["email"].as_string() == email)
