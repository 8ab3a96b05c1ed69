"""The next-day 04:00 activation e-mail: none lost, none doubled, late rather than never.

Each approval schedules one outbox item of kind "activation" due at 04:00 the next day. The worker
claims due items (oldest first) under the outbox's lock, so two workers never send the same one.

The gap: Keycloak sending the e-mail and our commit cannot be one transaction. We choose the side
where nobody is left without an e-mail: a worker that dies after Keycloak sent but before it
committed leaves a stale claim, which is taken again after the claim lease. Before sending, the
handler asks Keycloak whether it already sent an execute-actions e-mail to that person since the
approval (Keycloak records it as an admin event), so the retry usually records "sent" instead of
sending twice; only if that record is missing does the person get a second, equally valid link.
See docs/activation.md (the crash-gap test makes the worker die exactly in that gap).

Keycloak calls per activation: on the usual path three (the person's roles, whether a password is
set, the e-mail); the admin-events question is asked only on a row tried before (attempts > 0: a
failure or a crashed worker's claim), and whether the account is still enabled only when Keycloak
refuses the e-mail or before the "access is active" notice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from bridge.core import audit
from bridge.core.models import AccessRequest, OutboxItem, OutboxKind, OutboxStatus, RequestStatus
from bridge.delivery import mailer
from bridge.delivery.schedule import next_activation
from bridge.keycloak.access import PARTNER_ROLE
from bridge.keycloak.interface import KeycloakDirectory, KeycloakRefused, KeycloakUnavailable

log = logging.getLogger(__name__)


def schedule(session: Session, request: AccessRequest) -> None:
    """One activation per approved request, due at its activation time (in the caller's transaction)."""
    session.add(OutboxItem(kind=OutboxKind.ACTIVATION, payload={"request_id": request.id},
                           idempotency_key=_idempotency_key(request.id),
                           next_attempt_at=request.activation_due_at))


def rearm(session: Session, request: AccessRequest, now: datetime, time_zone: str) -> None:
    """Access given again (a corrected retry, an undone revocation) before the activation went out: the
    activation goes out at the next 04:00, as after an approval."""
    if request.activation_sent_at is not None:
        return
    request.activation_due_at = next_activation(now, time_zone)
    session.execute(update(OutboxItem).where(OutboxItem.idempotency_key == _idempotency_key(request.id)).values(
        status=OutboxStatus.PENDING, attempts=0, last_error="", claimed_at=None, next_attempt_at=request.activation_due_at))


def overview(session: Session) -> list[tuple[AccessRequest, OutboxItem | None]]:
    """Every approved request with its activation item, the earliest due first."""
    requests = session.scalars(select(AccessRequest).where(AccessRequest.status == RequestStatus.APPROVED)
                               .order_by(AccessRequest.activation_due_at, AccessRequest.id)).all()
    items = {item.payload["request_id"]: item for item in session.scalars(
        select(OutboxItem).where(OutboxItem.kind == OutboxKind.ACTIVATION))}
    return [(request, items.get(request.id)) for request in requests]


def state(request: AccessRequest, item: OutboxItem | None, now: datetime) -> str:
    """sent, failed, held, due or scheduled."""
    if request.activation_sent_at:
        return "sent"
    if item is not None and item.status in (OutboxStatus.FAILED, OutboxStatus.HELD):
        return item.status
    return "due" if request.activation_due_at <= now else "scheduled"


def after_restore(session: Session, directory: KeycloakDirectory, now: datetime) -> dict[str, list[int]]:
    """Once after restoring the bridge's database from a dump, before the worker starts: an activation due
    by `now` that the dump does not record as sent may have gone out after the dump. Where Keycloak's
    database is newer than the bridge's (dumped after it, or not restored at all) its admin events say so:
    recorded as sent. Otherwise nobody can tell: held, never sent twice blindly; the operator releases
    those the mail relay's log does not show (`release`). Return the request ids of each outcome."""
    outcome: dict[str, list[int]] = {"sent": [], "held": []}
    requests = session.scalars(select(AccessRequest).where(
        AccessRequest.status == RequestStatus.APPROVED, AccessRequest.activation_sent_at.is_(None),
        AccessRequest.activation_due_at <= now).order_by(AccessRequest.id)).all()
    for request in requests:
        item = session.scalar(select(OutboxItem).where(OutboxItem.idempotency_key == _idempotency_key(request.id)))
        if item is None or item.status not in (OutboxStatus.PENDING, OutboxStatus.SENDING):
            continue
        person = directory.find_user_by_email(request.email)
        if person and directory.set_password_email_sent_since(person["id"], int(request.decided_at.timestamp() * 1000)):
            request.activation_sent_at, item.status, item.done_at = now, OutboxStatus.SENT, now
            audit.record(session, "system", "activation_sent", request.id, "", now, after_restore=True)
            outcome["sent"].append(request.id)
        else:
            item.status, item.last_error = OutboxStatus.HELD, "held after a restore: it may have gone out after the dump"
            audit.record(session, "system", "activation_held", request.id, "", now)
            outcome["held"].append(request.id)
    session.commit()
    return outcome


def release(session: Session, request_ids: list[int] | None, now: datetime) -> int:
    """Send held activations after all (the given requests, or every one); the worker still asks Keycloak's
    admin events first (attempts > 0), so one that did go out is recorded, not sent again."""
    query = update(OutboxItem).where(OutboxItem.kind == OutboxKind.ACTIVATION, OutboxItem.status == OutboxStatus.HELD)
    if request_ids is not None:
        query = query.where(OutboxItem.idempotency_key.in_([_idempotency_key(id_) for id_ in request_ids]))
    released = session.execute(query.values(status=OutboxStatus.PENDING, next_attempt_at=now, last_error="",
                                            attempts=case((OutboxItem.attempts > 0, OutboxItem.attempts), else_=1))).rowcount
    session.commit()
    return released


class NotProvisionedYet(KeycloakUnavailable):
    """The account is not in Keycloak yet (provisioning still retrying): try again later."""


def send(session: Session, directory: KeycloakDirectory, payload: dict, now: datetime) -> None:
    """Outbox handler: the set-password e-mail, or the "access is active" notice, or a recorded skip."""
    request = session.get(AccessRequest, payload["request_id"])
    if request.activation_sent_at is not None:
        return
    if request.status != RequestStatus.APPROVED:
        # Account not created, or access ended, before 04:00: nothing goes out; giving access again re-arms it.
        log.info("activation of request %s held: the request is %s", request.id, request.status)
        return
    if not request.keycloak_user_id:
        raise NotProvisionedYet(f"request {request.id} is not provisioned yet")
    try:
        action = _deliver(session, directory, request)
    except _Skipped as skipped:
        request.activation_sent_at = now
        audit.record(session, "system", "activation_skipped", request.id, "", now, reason=skipped.reason)
        log.info("activation of request %s skipped: %s", request.id, skipped.reason)
        return
    request.activation_sent_at = now
    audit.record(session, "system", action, request.id, "", now)
    log.info("activation of request %s: %s", request.id, action)


class _Skipped(Exception):
    """The person is no longer someone to activate: deleted, disabled or without the partner role."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _deliver(session: Session, directory: KeycloakDirectory, request: AccessRequest) -> str:
    """Send what the person needs and return the audit action; raise _Skipped instead when nobody should get it."""
    config, user_id = current_app.config, request.keycloak_user_id
    if PARTNER_ROLE not in _roles(directory, user_id):
        raise _Skipped("access revoked")
    # Any set-password e-mail since the approval counts: an earlier attempt that died before recording it.
    if _tried_before(session, request) and directory.set_password_email_sent_since(
            user_id, int(request.decided_at.timestamp() * 1000)):
        return "activation_sent"
    if directory.has_password(user_id):
        _still_enabled(directory, user_id)
        notice = mailer.compose("access_active", request.email, request.language, request=request,
                                sign_in_url=config["PORTAL_URL"] or config["RESET_PASSWORD_URL"])
        mailer.send(notice.as_payload())
        return "activation_notice"
    try:
        directory.send_set_password_email(user_id, config["ACTIVATION_LINK_DAYS"] * 86400,
                                          config["ACTIVATION_CLIENT_ID"], config["PORTAL_URL"])
    except KeycloakRefused:
        _still_enabled(directory, user_id)  # Keycloak refuses a disabled account's e-mail: say so
        raise
    return "activation_sent"


def _roles(directory: KeycloakDirectory, user_id: str) -> set[str]:
    try:
        return directory.realm_roles(user_id)
    except KeycloakRefused as exc:
        if exc.status == 404:
            raise _Skipped("account deleted") from exc
        raise


def _still_enabled(directory: KeycloakDirectory, user_id: str) -> None:
    user = directory.get_user(user_id)
    if user is None:
        raise _Skipped("account deleted")
    if not user.get("enabled", False):
        raise _Skipped("account disabled")


def _tried_before(session: Session, request: AccessRequest) -> bool:
    """Whether an earlier attempt may have reached Keycloak: it failed, or its worker died holding the claim."""
    attempts = session.scalar(select(OutboxItem.attempts)
                              .where(OutboxItem.idempotency_key == _idempotency_key(request.id)))
    return bool(attempts)


def _idempotency_key(request_id: int) -> str:
    return f"request:{request_id}:activation"
