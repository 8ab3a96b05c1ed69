"""Requests nobody decides: after N working days (the customer's country) the manager is reminded, once per
N working days; after M working days the request is escalated to a deputy (the directory's, else the one the
manager named for an absence, else the fallback manager), who may decide it too; after K days the request
expires, the requester is told kindly and the manager is noticed. Everything goes through the outbox like
every other e-mail."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.core import audit
from bridge.core.models import AccessRequest, Customer, OutboxItem, RequestStatus, deputy_during_absence
from bridge.core.links import review_url
from bridge.delivery import mailer, outbox
from bridge.delivery.schedule import local_day, working_days_later

log = logging.getLogger(__name__)


def follow_up(session: Session, now: datetime, config: Mapping) -> dict[str, int]:
    """Expire what waited too long, escalate, then queue the reminders due at `now`; return how many of each."""
    done = {"expired": _expire(session, now, config), "escalated": _escalate(session, now, config),
            "reminded": _remind(session, now, config)}
    session.commit()
    if any(done.values()):
        log.info("pending requests followed up: %s", done)
    return done


def _each_waiting(session: Session, days: int, now: datetime,
                  act: Callable[[AccessRequest, Customer], bool]) -> int:
    """Apply `act` to each request pending for at least `days` calendar days (none when `days` is 0, the
    setting's "never"); return on how many it acted. N working days are at least N calendar days."""
    if not days:
        return 0
    waiting = session.execute(select(AccessRequest, Customer)
                              .join(Customer, Customer.customer_number == AccessRequest.customer_number)
                              .where(AccessRequest.status == RequestStatus.PENDING,
                                     AccessRequest.created_at <= now - timedelta(days=days))
                              .order_by(AccessRequest.id))  # two workers lock rows in one order: they wait, never deadlock
    return sum(1 for request, customer in list(waiting) if act(request, customer))


def _take(session: Session, request: AccessRequest, *conditions, **values) -> bool:
    """Change a request that is still pending (and meets `conditions`): a decision or another worker may have
    come first, then False."""
    taken = session.execute(update(AccessRequest).where(
        AccessRequest.id == request.id, AccessRequest.status == RequestStatus.PENDING, *conditions).values(**values))
    if taken.rowcount != 1:
        return False
    session.refresh(request)
    return True


def _expire(session: Session, now: datetime, config: Mapping) -> int:
    days, public_url = config["REQUEST_EXPIRY_DAYS"], config["PUBLIC_URL"]

    def expire(request: AccessRequest, customer: Customer) -> bool:
        if not _take(session, request, status=RequestStatus.EXPIRED, updated_at=now):
            return False
        audit.record(session, "system", "expired", request.id, "", now, days=days)
        language = request.language
        outbox.enqueue_mail(session, mailer.compose(
            "request_expired", request.email, language, request=request, days=days,
            request_url=f"{public_url}/request-access?lang={language}", help_url=f"{public_url}/help?lang={language}",
        ), f"request:{request.id}:expired")
        outbox.enqueue_mail(session, mailer.compose(
            "request_expired_manager", request.assigned_manager_email, customer.manager_language, request=request,
            customer=customer, days=days, review_url=review_url(public_url, request.id),
        ), f"request:{request.id}:expired-notice")
        return True

    return _each_waiting(session, days, now, expire)


def _escalate(session: Session, now: datetime, config: Mapping) -> int:
    working_days, time_zone = config["ESCALATION_WORKING_DAYS"], config["TIME_ZONE"]

    def escalate(request: AccessRequest, customer: Customer) -> bool:
        if request.escalated_at or working_days_later(request.created_at, working_days, customer.country,
                                                      time_zone) > now:
            return False
        deputy = (customer.deputy_email
                  or deputy_during_absence(session, request.assigned_manager_email, local_day(now, time_zone))
                  or config["FALLBACK_MANAGER_EMAIL"])
        if deputy == request.assigned_manager_email:  # nobody else to ask: the reminders go on
            return False
        if not _take(session, request, AccessRequest.escalated_at.is_(None), escalated_at=now, escalated_to=deputy):
            return False  # once, even with two workers
        audit.record(session, "system", "escalated", request.id, "", now, to=deputy, working_days=working_days)
        outbox.enqueue_mail(session, mailer.compose(
            "request_escalated", deputy, customer.manager_language, request=request, customer=customer,
            waited_days=working_days, review_url=review_url(config["PUBLIC_URL"], request.id),
        ), f"request:{request.id}:escalated")
        return True

    return _each_waiting(session, working_days, now, escalate)


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

    def remind(request: AccessRequest, customer: Customer) -> bool:
        rounds = rounds_due(request.created_at, now, working_days, customer.country, config["TIME_ZONE"])
        return bool(rounds) and _remind_once(session, request, customer, rounds, rounds * working_days,
                                             config["PUBLIC_URL"])

    return _each_waiting(session, working_days, now, remind)


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
