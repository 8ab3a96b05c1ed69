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
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bridge.core import audit
from bridge.core.models import AccessRequest, OutboxItem, OutboxKind, OutboxStatus, RequestStatus
from bridge.delivery import mailer
from bridge.delivery.schedule import next_activation
from bridge.keycloak.access import PARTNER_ROLE
from bridge.keycloak.interface import KeycloakDirectory, KeycloakUnavailable

log = logging.getLogger(__name__)


def schedule(session: Session, request: AccessRequest) -> None:
    """One activation per approved request, due at its activation time (in the caller's transaction)."""
    session.add(OutboxItem(kind=OutboxKind.ACTIVATION, payload={"request_id": request.id},
                           idempotency_key=_key(request),
                           next_attempt_at=request.activation_due_at))


def _key(request: AccessRequest) -> str:
    return f"request:{request.id}:activation"


def rearm(session: Session, request: AccessRequest, now: datetime, time_zone: str) -> None:
    """Access given again (a corrected retry, an undone revocation) before the activation went out: the
    activation goes out at the next 04:00, as after an approval."""
    if request.activation_sent_at is not None:
        return
    request.activation_due_at = next_activation(now, time_zone)
    session.execute(update(OutboxItem).where(OutboxItem.idempotency_key == _key(request)).values(
        status=OutboxStatus.PENDING, attempts=0, last_error="", claimed_at=None, next_attempt_at=request.activation_due_at))


def overview(session: Session) -> list[tuple[AccessRequest, OutboxItem | None]]:
    """Every approved request with its activation item, the earliest due first."""
    requests = session.scalars(select(AccessRequest).where(AccessRequest.status == RequestStatus.APPROVED)
                               .order_by(AccessRequest.activation_due_at, AccessRequest.id)).all()
    items = {item.payload["request_id"]: item for item in session.scalars(
        select(OutboxItem).where(OutboxItem.kind == OutboxKind.ACTIVATION))}
    return [(request, items.get(request.id)) for request in requests]


def state(request: AccessRequest, item: OutboxItem | None, now: datetime) -> str:
    """sent, failed, due or scheduled."""
    if request.activation_sent_at:
        return "sent"
    if item is not None and item.status == OutboxStatus.FAILED:
        return "failed"
    return "due" if request.activation_due_at <= now else "scheduled"


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
    config = current_app.config
    user = directory.get_user(request.keycloak_user_id)
    reason = _skip_reason(directory, user)
    if reason:
        request.activation_sent_at = now
        audit.record(session, "system", "activation_skipped", request.id, "", now, reason=reason)
        log.info("activation of request %s skipped: %s", request.id, reason)
        return
    # Any set-password e-mail since the approval counts: an earlier attempt that died before recording it.
    if directory.set_password_email_sent_since(user["id"], int(request.decided_at.timestamp() * 1000)):
        action = "activation_sent"
    elif directory.has_password(user["id"]):
        notice = mailer.compose("access_active", request.email, request.language, request=request,
                                sign_in_url=config["PORTAL_URL"] or config["RESET_PASSWORD_URL"])
        mailer.send(notice.as_payload())
        action = "activation_notice"
    else:
        directory.send_set_password_email(user["id"], config["ACTIVATION_LINK_DAYS"] * 86400,
                                        config["ACTIVATION_CLIENT_ID"], config["PORTAL_URL"])
        action = "activation_sent"
    request.activation_sent_at = now
    audit.record(session, "system", action, request.id, "", now)
    log.info("activation of request %s: %s", request.id, action)


def _skip_reason(directory: KeycloakDirectory, user: dict | None) -> str:
    if user is None:
        return "account deleted"
    if not user.get("enabled", False):
        return "account disabled"
    if PARTNER_ROLE not in directory.realm_roles(user["id"]):
        return "access revoked"
    return ""
