"""Reminders: a request still pending after N working days (the customer's country) reminds its manager,
once per N working days, through the outbox like every other e-mail."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.core.models import AccessRequest, Customer, OutboxItem, RequestStatus
from bridge.delivery import mailer, outbox
from bridge.delivery.schedule import working_days_later

log = logging.getLogger(__name__)


def rounds_due(created_at: datetime, now: datetime, working_days: int, country: str, time_zone: str) -> int:
    """How many reminder intervals of `working_days` have passed since the request came in."""
    rounds = 0
    while working_days_later(created_at, (rounds + 1) * working_days, country, time_zone) <= now:
        rounds += 1
    return rounds


def queue_due(session: Session, now: datetime, working_days: int, time_zone: str, public_url: str) -> int:
    """Queue the reminders due at `now`; return how many. Each (request, round) is queued once, even by
    two workers at the same moment: the outbox's unique idempotency key decides."""
    if not working_days:
        return 0
    # N working days are at least N calendar days: only those requests can be due.
    candidates = session.execute(select(AccessRequest, Customer)
                                 .join(Customer, Customer.customer_number == AccessRequest.customer_number)
                                 .where(AccessRequest.status == RequestStatus.PENDING,
                                        AccessRequest.created_at <= now - timedelta(days=working_days))).all()
    queued = 0
    for request, customer in candidates:
        rounds = rounds_due(request.created_at, now, working_days, customer.country, time_zone)
        if rounds and _queue_once(session, request, customer, rounds, rounds * working_days, public_url):
            queued += 1
    session.commit()
    if queued:
        log.info("reminders queued: %s", queued)
    return queued


def _queue_once(session: Session, request: AccessRequest, customer: Customer, round_: int, waited_days: int,
                public_url: str) -> bool:
    key = f"request:{request.id}:reminder:{round_}"
    if session.scalar(select(OutboxItem.id).where(OutboxItem.idempotency_key == key)):
        return False
    mail = mailer.compose("request_reminder", request.assigned_manager_email, customer.manager_language,
                          request=request, customer=customer, waited_days=waited_days,
                          review_url=f"{public_url}/manage/requests/{request.id}")
    try:
        with session.begin_nested():
            outbox.enqueue_mail(session, mail, key)
    except IntegrityError:  # another worker queued it a moment ago
        return False
    return True
