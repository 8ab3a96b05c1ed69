"""The decision history as CSV for a period, for admins: one row per decision (approved, rejected, expired,
access ended, access given again), with the request, its customer, who decided in which role, and when the
account was set up and the activation e-mail went out. The columns are a contract (docs/audit-export.md):
new ones are only ever added at the end."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.core.models import AccessRequest, AuditEvent, Customer

COLUMNS = ("decided_at", "decision", "decided_by", "decided_as", "reason", "request_id", "received_at",
           "customer_number", "customer_company", "region", "assigned_manager", "escalated_to", "provisioned_at",
           "provisioned_by", "activation_sent_at")
DECISIONS = ("approved", "rejected", "expired", "revoked", "regranted")
BATCH = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run these as formulas


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _line(values) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([_cell(value) for value in values])
    return out.getvalue()


def _provisioned(session: Session, request_ids: list[int]) -> dict[int, AuditEvent]:
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "provisioned", AuditEvent.request_id.in_(request_ids)).order_by(AuditEvent.id))
    first: dict[int, AuditEvent] = {}
    for event in events:
        first.setdefault(event.request_id, event)
    return first


def decision_rows(session: Session, start: datetime, end: datetime) -> Iterator[str]:
    """The header, then one CSV line per decision taken in [start, end), the oldest first."""
    yield _line(COLUMNS)
    query = (select(AuditEvent, AccessRequest, Customer)
             .join(AccessRequest, AccessRequest.id == AuditEvent.request_id)
             .join(Customer, Customer.customer_number == AccessRequest.customer_number)
             .where(AuditEvent.action.in_(DECISIONS), AuditEvent.at >= start, AuditEvent.at < end)
             .order_by(AuditEvent.at, AuditEvent.id))
    batch: list = []
    for row in session.execute(query).yield_per(BATCH):  # a year of decisions never sits in memory at once
        batch.append(row)
        if len(batch) == BATCH:
            yield from _lines(session, batch)
            batch = []
    yield from _lines(session, batch)


def _role_before_roles(event: AuditEvent) -> str:
    """Decisions recorded before the role was: the worker's are "system", a person's "manager" or "admin"
    cannot be told apart any more, so the cell stays empty."""
    return "system" if event.actor == "system" else ""


def _lines(session: Session, batch: list) -> Iterator[str]:
    provisioned = _provisioned(session, [request.id for _, request, _ in batch])
    for event, request, customer in batch:
        setup = provisioned.get(request.id)
        yield _line((
            event.at, event.action, event.actor, event.detail.get("role") or _role_before_roles(event),
            event.detail.get("reason") or event.detail.get("note") or "", request.id, request.created_at,
            customer.customer_number, customer.company, customer.region, request.assigned_manager_email,
            request.escalated_to, setup.at if setup else None, setup.actor if setup else None,
            request.activation_sent_at))
