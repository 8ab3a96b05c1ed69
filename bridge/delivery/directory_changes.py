"""What a change of the ERP directory does to requests and access (`customers import`, bridge/directory/).

A customer that leaves the directory, or is marked blocked, is *suspended*: its pending requests wait
on hold and its manager is told; its people keep their access for the grace period
(BRIDGE_CUSTOMER_GRACE_DAYS), then the worker ends it with the managers' own revocation. A customer that
comes back before then loses nothing: the suspension is lifted and the held requests wait again. A
customer that moves to another manager takes its waiting requests along, and the new manager is told.
Every step is audited (the requests' histories show it) and every e-mail goes through the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.core import audit
from bridge.core.broadcast import ACCESS_CHANGED, Broadcast
from bridge.core.links import review_url
from bridge.core.models import AccessRequest, Customer, RequestStatus, Suspension
from bridge.delivery import mailer, outbox, provisioning
from bridge.keycloak.interface import KeycloakDirectory, KeycloakRefused, KeycloakUnavailable

log = logging.getLogger(__name__)
ACTOR = "directory import"  # who the audit trail names for what the directory changed
WAITING = (RequestStatus.PENDING, RequestStatus.HELD)


def reassign_request(session: Session, request: AccessRequest, manager_email: str, actor: str, now: datetime,
                     remote_addr: str) -> None:
    """Hand a request to another manager (it leaves the previous manager's view at once); its history says so."""
    previous, request.assigned_manager_email = request.assigned_manager_email, manager_email
    request.updated_at = now
    audit.record(session, actor, "reassigned", request.id, remote_addr, now, previous=previous, to=manager_email)


def _requests(session: Session, customer_number: str, statuses) -> list[AccessRequest]:
    return list(session.scalars(select(AccessRequest).where(
        AccessRequest.customer_number == customer_number, AccessRequest.status.in_(statuses)).order_by(AccessRequest.id)))


def manager_of(customer: Customer, config: Mapping) -> str:
    """Who answers for a customer: its regional manager, or the fallback address when the directory names none."""
    return customer.manager_email or config["FALLBACK_MANAGER_EMAIL"]


def suspend(session: Session, customer: Customer, suspension: Suspension, now: datetime,
            config: Mapping) -> tuple[int, int]:
    """Put the customer's pending requests on hold and tell its manager until when its people keep their
    access; return (requests held, people with access) — in the caller's transaction."""
    customer.suspended_at, customer.suspension, customer.access_ended_at = now, suspension, None
    held = _requests(session, customer.customer_number, (RequestStatus.PENDING,))
    for request in held:
        request.status, request.updated_at = RequestStatus.HELD, now
        audit.record(session, ACTOR, "held", request.id, "", now, suspension=str(suspension))
    with_access = _requests(session, customer.customer_number, (RequestStatus.APPROVED,))
    access_until = (now + timedelta(days=config["CUSTOMER_GRACE_DAYS"])).astimezone(ZoneInfo(config["TIME_ZONE"]))
    mail = mailer.compose("customer_suspended", manager_of(customer, config), customer.manager_language,
                          customer=customer, blocked=suspension == Suspension.BLOCKED, held=held,
                          with_access=with_access,
                          access_until=format_date(access_until.date(), "long", locale=customer.manager_language),
                          review_urls={r.id: review_url(config["PUBLIC_URL"], r.id) for r in held})
    outbox.enqueue_mail(session, mail, f"customer:{customer.customer_number}:suspended:{now.isoformat()}")
    return len(held), len(with_access)


def lift(session: Session, customer: Customer, now: datetime) -> int:
    """The customer is back: no longer suspended, its held requests pending again; return how many. A held
    request whose person asked again meanwhile stays held (one pending request per address)."""
    customer.suspended_at, customer.suspension = None, ""
    released = 0
    for request in _requests(session, customer.customer_number, (RequestStatus.HELD,)):
        try:
            with session.begin_nested():
                request.status, request.updated_at = RequestStatus.PENDING, now
                session.flush()
        except IntegrityError:
            continue
        audit.record(session, ACTOR, "released", request.id, "", now)
        released += 1
    return released


def move_requests(session: Session, customer: Customer, previous_manager: str, now: datetime,
                  config: Mapping) -> int:
    """The directory names a new manager: the requests still waiting for the previous one go to the new one,
    who is told; return how many moved (requests an admin gave to someone else stay where they are)."""
    manager = manager_of(customer, config)
    moved = [request for request in _requests(session, customer.customer_number, WAITING)
             if request.assigned_manager_email == previous_manager]
    for request in moved:
        reassign_request(session, request, manager, ACTOR, now, "")
    if moved:
        mail = mailer.compose("requests_moved", manager, customer.manager_language, customer=customer,
                              requests=moved, review_urls={r.id: review_url(config["PUBLIC_URL"], r.id) for r in moved})
        outbox.enqueue_mail(session, mail, f"customer:{customer.customer_number}:moved:{now.isoformat()}:{manager}")
    return len(moved)


def grace_over(session: Session, now: datetime, grace_days: int) -> list[Customer]:
    """Suspended customers whose people still have access although the grace period is over at `now`."""
    return list(session.scalars(select(Customer).where(
        Customer.suspended_at <= now - timedelta(days=grace_days), Customer.access_ended_at.is_(None))
        .order_by(Customer.customer_number)))


def end_access_after_grace(session: Session, directory: KeycloakDirectory, broadcast: Broadcast, now: datetime,
                           grace_days: int) -> int:
    """Worker step: the people of every customer suspended longer than the grace period lose their access
    (role, membership, sessions; audited as a revocation by the directory import); return how many people.
    A customer Keycloak could not finish is tried again on the next pass (each step is idempotent)."""
    ended = 0
    for customer in grace_over(session, now, grace_days):
        reason = f"customer {customer.suspension} in the directory"
        try:
            people = directory.customer_members(customer.customer_number)
            for person in people:  # one commit each: no database lock is held during the next Keycloak call
                provisioning.end_access(session, directory, ACTOR, person, customer.customer_number, reason, now, "")
                session.commit()
                broadcast.publish(ACCESS_CHANGED, person.get("email", ""))
                ended += 1
        except (KeycloakUnavailable, KeycloakRefused) as exc:
            session.rollback()
            log.warning("suspended customer's access not ended yet (%s); trying again on the next pass", exc)
            continue
        taken = session.execute(update(Customer).where(  # another worker may have come first
            Customer.customer_number == customer.customer_number, Customer.access_ended_at.is_(None),
        ).values(access_ended_at=now))
        if taken.rowcount == 1:
            audit.record(session, ACTOR, "customer_access_ended", None, "", now,
                         customer_number=customer.customer_number, people=len(people))
        session.commit()
    if ended:
        log.info("access ended after the grace period: %s people", ended)
    return ended
