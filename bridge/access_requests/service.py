"""Account requests: the rules for accepting one, and what is recorded when it is accepted."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.core.addresses import normalize
from bridge.core.broadcast import ACCESS_CHANGED, Broadcast
from bridge.core.models import AccessRequest, RequestStatus, pending_request
from bridge.core.links import review_url
from bridge.delivery import mailer, outbox
from bridge.directory.companies import same_company
from bridge.directory.customers import find_customer, normalize_customer_number
from bridge.keycloak.access import has_access
from bridge.keycloak.interface import KeycloakDirectory, KeycloakUnavailable

log = logging.getLogger(__name__)


@dataclass
class NewRequest:
    """What a person typed, already validated for format."""

    customer_number: str
    company: str
    first_name: str
    last_name: str
    email: str
    phone: str
    job_title: str
    language: str
    message: str
    vouched_by: str = ""  # the team admin who asked for a colleague (bridge/team/)


class OutcomeKind(StrEnum):
    CREATED = "created"
    UNKNOWN_CUSTOMER = "unknown_customer"
    HAS_ACCESS = "has_access"
    PENDING = "pending"


@dataclass
class Outcome:
    """What became of a submission (with the existing request's date when one is pending)."""

    kind: OutcomeKind
    request: AccessRequest | None = None
    pending_since: datetime | None = None


def submit(session: Session, directory: KeycloakDirectory, broadcast: Broadcast, data: NewRequest, now: datetime,
           public_url: str, fallback_manager: str) -> Outcome:
    """Store a request and its two e-mails (manager notification, requester receipt) in one transaction; the
    e-mail check of every bridge process then says "pending" for the address."""
    email = normalize(data.email)
    customer = find_customer(session, normalize_customer_number(data.customer_number))
    if customer is None:
        return Outcome(OutcomeKind.UNKNOWN_CUSTOMER)
    try:
        if directory.within(lambda: has_access(directory, email)):
            return Outcome(OutcomeKind.HAS_ACCESS)
    except KeycloakUnavailable:
        # Fail open: the manager decides, and provisioning reuses an existing account.
        log.warning("access check skipped while storing a request: Keycloak unavailable")
    existing = pending_request(session, email)
    if existing:
        return Outcome(OutcomeKind.PENDING, pending_since=existing.created_at)

    request = AccessRequest(
        customer_number=customer.customer_number, company=data.company.strip(),
        first_name=data.first_name.strip(), last_name=data.last_name.strip(), email=email,
        phone=data.phone.strip(), job_title=data.job_title.strip(), language=data.language,
        message=data.message.strip(), privacy_consent_at=now,
        assigned_manager_email=customer.manager_email or fallback_manager,
        status=RequestStatus.PENDING, created_at=now, updated_at=now, vouched_by=data.vouched_by,
    )
    session.add(request)
    try:
        session.flush()
    except IntegrityError:
        # Another submission for this e-mail won the race (unique index on pending requests).
        session.rollback()
        existing = pending_request(session, email)
        return Outcome(OutcomeKind.PENDING, pending_since=existing.created_at if existing else now)
    manager_mail = mailer.compose(
        "request_manager", request.assigned_manager_email, customer.manager_language,
        request=request, customer=customer, review_url=review_url(public_url, request.id),
        without_manager=customer.manager_email is None, company_differs=not same_company(request.company, customer.company),
    )
    receipt = mailer.compose("request_receipt", email, data.language, request=request)
    outbox.enqueue_mail(session, manager_mail, f"request:{request.id}:manager-notification")
    outbox.enqueue_mail(session, receipt, f"request:{request.id}:receipt")
    session.commit()
    broadcast.publish(ACCESS_CHANGED, email)
    log.info("access request %s stored for customer %s", request.id, customer.customer_number)
    return Outcome(OutcomeKind.CREATED, request=request)
