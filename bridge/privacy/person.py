"""One person, by e-mail address: everything the bridge and Keycloak hold about them (export), and erasure
from the bridge, with what stays in Keycloak and why.

Erasure refuses while the person has B2B access or a request still open (pending or approved): erasing the
request of someone who still signs in would cut the history their access rests on. The operator ends the
access (or rejects the request) in the review UI first, then erases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bridge.core.models import (AccessRequest, AuditEvent, Base, ConfirmationEntry, OutboxItem, OutboxKind, OutboxStatus,
                                RequestStatus, SignIn)
from bridge.keycloak.access import has_access
from bridge.keycloak.interface import KeycloakDirectory
from bridge.privacy import redaction

OPEN = (RequestStatus.PENDING, RequestStatus.APPROVED)
# What Keycloak keeps about anyone who had an account or tried to sign in, and why the bridge leaves it.
KEYCLOAK_KEEPS = (
    "sign-in events (user id, the address as typed, IP address): kept by Keycloak for the realm's eventsExpiration "
    "(90 days in realm-export.json), then deleted by Keycloak",
    "admin events about the account (its creation with name and address, role and membership changes): kept for the "
    "realm's adminEventsExpiration (90 days), then deleted by Keycloak",
    "Keycloak's server log (failed sign-ins with the address as typed and the IP address): as long as the log "
    "retention of the deployment keeps it",
)


class ErasureRefused(RuntimeError):
    """The person still has access or an open request: end it first."""


@dataclass
class Erasure:
    """What was erased from the bridge, and what remains in Keycloak."""

    requests: int
    mails: int
    events: int
    sign_ins: int
    keycloak_remains: list[str] = field(default_factory=list)


def _requests(session: Session, email: str) -> list[AccessRequest]:
    return list(session.scalars(select(AccessRequest).where(AccessRequest.email == email).order_by(AccessRequest.id)))


def _mails(session: Session, email: str, request_ids: list[int]):
    """E-mail rows to or from the address, or caused by one of its requests."""
    return select(OutboxItem).where(OutboxItem.kind == OutboxKind.MAIL, or_(
        OutboxItem.payload["to"].as_string() == email, OutboxItem.payload["reply_to"].as_string() == email,
        *(OutboxItem.idempotency_key.startswith(f"request:{request_id}:") for request_id in request_ids)))


def _events(session: Session, email: str, request_ids: list[int]) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(or_(
        AuditEvent.request_id.in_(request_ids), AuditEvent.detail["email"].as_string() == email)).order_by(AuditEvent.id)))


def _keycloak_ids(requests: list[AccessRequest], user: dict | None) -> set[str]:
    return {request.keycloak_user_id for request in requests if request.keycloak_user_id} | ({user["id"]} if user else set())


def _row(row: Base) -> dict:
    values = {column.name: getattr(row, column.key) for column in row.__table__.columns}
    return {name: value.isoformat() if isinstance(value, datetime) else value for name, value in values.items()}


def export(session: Session, directory: KeycloakDirectory, email: str) -> dict:
    """Everything held about the address: the bridge's rows and Keycloak's account (profile and realm roles)."""
    requests = _requests(session, email)
    ids = [request.id for request in requests]
    user = directory.find_user_by_email(email)
    user_ids = _keycloak_ids(requests, user)
    return {
        "email": email,
        "bridge": {
            "access_requests": [_row(request) for request in requests],
            "audit_events": [_row(event) for event in _events(session, email, ids)],
            "emails": [_row(item) for item in session.scalars(_mails(session, email, ids).order_by(OutboxItem.id))],
            "sign_ins": [_row(row) for row in session.scalars(select(SignIn).where(SignIn.keycloak_user_id.in_(user_ids)))],
            "confirmations": [_row(row) for row in session.scalars(select(ConfirmationEntry).where(
                ConfirmationEntry.keycloak_user_id.in_(user_ids)).order_by(ConfirmationEntry.id))],
        },
        "keycloak": {
            "user": directory.get_user(user["id"]) if user else None,
            "realm_roles": sorted(directory.realm_roles(user["id"])) if user else [],
        },
    }


def erase(session: Session, directory: KeycloakDirectory, email: str, secret: str) -> Erasure:
    """Erase the address from every table of the bridge (ErasureRefused while access or a request is open)."""
    requests = _requests(session, email)
    still_open = [request for request in requests if request.status in OPEN]
    if still_open:
        raise ErasureRefused(f"request {still_open[0].id} is {still_open[0].status}: reject it or end the person's "
                             "access in the review UI first")
    if has_access(directory, email):
        raise ErasureRefused("the person has B2B access in Keycloak: end it in the review UI first")
    ids = [request.id for request in requests]
    waiting = session.scalars(_mails(session, email, ids).where(
        OutboxItem.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)))).first()
    if waiting is not None:
        raise ErasureRefused(f"e-mail {waiting.id} to or about the person is still waiting in the outbox: let the "
                             "worker deliver it, then erase")
    user = directory.find_user_by_email(email)
    user_ids = _keycloak_ids(requests, user)
    done = Erasure(requests=len(requests), mails=redaction.redact_mails(session, _mails(session, email, ids)),
                   events=redaction.redact_events(session, _events(session, email, ids), secret),
                   sign_ins=session.query(SignIn).filter(SignIn.keycloak_user_id.in_(user_ids)).delete())
    for request in requests:
        redaction.anonymize(session, request, secret)
    session.commit()
    if user:
        done.keycloak_remains.append(
            f"the account {user['id']} (address, name, language, customer number): Keycloak owns accounts and the "
            "bridge never deletes one; the person has no access any more. Delete it in Keycloak's admin console "
            "(Users) if the person asked for their account to go too")
    done.keycloak_remains.extend(KEYCLOAK_KEEPS)
    return done
