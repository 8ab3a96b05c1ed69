"""Requests nobody decides: after N working days (the customer's country) the manager is reminded, once per
N working days; after K days the request expires, the requester is told kindly and the manager is noticed.
Everything goes through the outbox like every other e-mail."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.core import audit
from bridge.core.models import AccessRequest, Customer, OutboxItem, RequestStatus
from bridge.core.links import review_url
from bridge.delivery import mailer, outbox
from bridge.delivery.schedule import working_days_later

log = logging.getLogger(__name__)


def follow_up(session: Session, now: datetime, config: Mapping) -> dict[str, int]:
    """Expire what waited too long, then queue the reminders due at `now`; return how many of each."""
    done = {"expired": _expire(session, now, config), "reminded": _remind(session, now, config)}
    session.commit()
    if any(done.values()):
        log.info("pending requests followed up: %s", done)
    return done


def _waiting_since(session: Session, before: datetime) -> list[tuple[AccessRequest, Customer]]:
    return list(session.execute(select(AccessRequest, Customer)
                                .join(Customer, Customer.customer_number == AccessRequest.customer_number)
                                .where(AccessRequest.status == RequestStatus.PENDING, AccessRequest.created_at <= before)))


def _expire(session: Session, now: datetime, config: Mapping) -> int:
    days = config["REQUEST_EXPIRY_DAYS"]
    if not days:
        return 0
    expired = 0
    for request, customer in _waiting_since(session, now - timedelta(days=days)):
        taken = session.execute(update(AccessRequest).where(  # a decision or another worker may come first
            AccessRequest.id == request.id, AccessRequest.status == RequestStatus.PENDING,
        ).values(status=RequestStatus.EXPIRED, updated_at=now))
        if taken.rowcount != 1:
            continue
        session.refresh(request)
        audit.record(session, "system", "expired", request.id, "", now, days=days)
        public_url, language = config["PUBLIC_URL"], request.language
        outbox.enqueue_mail(session, mailer.compose(
            "request_expired", request.email, language, request=request, days=days,
            request_url=f"{public_url}/request-access?lang={language}", help_url=f"{public_url}/help?lang={language}",
        ), f"request:{request.id}:expired")
        outbox.enqueue_mail(session, mailer.compose(
            "request_expired_manager", request.assigned_manager_email, customer.manager_language, request=request,
            customer=customer, days=days, review_url=review_url(public_url, request.id),
        ), f"request:{request.id}:expired-notice")
        expired += 1
    return expired


def rounds_due(created_at: datetime, now: datetime, working_days: int, country: str, time_zone: str) -> int:
    """How many reminder intervals of `working_days` have passed since the request came in."""
    rounds = 0
    while working_days_later(created_at, (rounds + 1) * working_days, country, time_zone) <= now:
        rounds += 1
    return rounds


def _remind(session: Session, now: datetime, config: Mapping) -> int:
    """Each (request, round) is queued once, even by two workers at the same moment: the outbox's unique
    idempotency key decides."""
    working_days = config["REMINDER_WORKING_DAYS"]
    if not working_days:
        return 0
    queued = 0
    # N working days are at least N calendar days: only those requests can be due.
    for request, customer in _waiting_since(session, now - timedelta(days=working_days)):
        rounds = rounds_due(request.created_at, now, working_days, customer.country, config["TIME_ZONE"])
        if rounds and _remind_once(session, request, customer, rounds, rounds * working_days, config["PUBLIC_URL"]):
            queued += 1
    return queued


def _remind_once(session: Session, request: AccessRequest, customer: Customer, round_: int, waited_days: int,
                 public_url: str) -> bool:
    key = f"request:{request.id}:reminder:{round_}"
    if session.scalar(select(OutboxItem.id).where(OutboxItem.idempotency_key == key)):
        return False
    mail = mailer.compose("request_reminder", request.assigned_manager_email, customer.manager_language,
                          request=request, customer=customer, waited_days=waited_days,
                          review_url=review_url(public_url, request.id))
    try:
        with session.begin_nested():
            outbox.enqueue_mail(session, mail, key)
    except IntegrityError:  # another worker queued it a moment ago
        return False
    return True
