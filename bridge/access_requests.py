"""Account requests: the rules for accepting one, and what is recorded when it is accepted."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge import mailer, outbox
from bridge.access import has_access
from bridge.customers import find_customer, normalize_customer_number
from bridge.email_status import normalize
from bridge.keycloak_gateway import KeycloakGateway, KeycloakUnavailable
from bridge.models import AccessRequest

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


@dataclass
class Outcome:
    """created, unknown_customer, has_access or pending (with the existing request's date)."""

    kind: str
    request: AccessRequest | None = None
    pending_since: datetime | None = None


def pending_request(session: Session, email: str) -> AccessRequest | None:
    """The pending request for a normalized e-mail, if any."""
    return session.scalars(select(AccessRequest).where(
        AccessRequest.email == email, AccessRequest.status == "pending")).first()


def submit(session: Session, gateway: KeycloakGateway, data: NewRequest, now: datetime, public_url: str,
           fallback_manager: str) -> Outcome:
    """Store a request and its two e-mails (manager notification, requester receipt) in one transaction."""
    email = normalize(data.email)
    customer = find_customer(session, normalize_customer_number(data.customer_number))
    if customer is None:
        return Outcome("unknown_customer")
    try:
        if gateway.within(lambda: has_access(gateway, email)):
            return Outcome("has_access")
    except KeycloakUnavailable:
        # Fail open: the manager decides, and provisioning reuses an existing account.
        log.warning("access check skipped while storing a request: Keycloak unavailable")
    existing = pending_request(session, email)
    if existing:
        return Outcome("pending", pending_since=existing.created_at)

    request = AccessRequest(
        customer_number=customer.customer_number, company=data.company.strip(),
        first_name=data.first_name.strip(), last_name=data.last_name.strip(), email=email,
        phone=data.phone.strip(), job_title=data.job_title.strip(), language=data.language,
        message=data.message.strip(), privacy_consent_at=now,
        assigned_manager_email=customer.manager_email or fallback_manager,
        status="pending", created_at=now, updated_at=now,
    )
    session.add(request)
    try:
        session.flush()
    except IntegrityError:
        # Another submission for this e-mail won the race (unique index on pending requests).
        session.rollback()
        existing = pending_request(session, email)
        return Outcome("pending", pending_since=existing.created_at if existing else now)
    manager_mail = mailer.compose(
        "request_manager", request.assigned_manager_email, customer.manager_language,
        request=request, customer=customer, review_url=f"{public_url}/manage/requests/{request.id}",
        without_manager=customer.manager_email is None,
    )
    receipt = mailer.compose("request_receipt", email, data.language, request=request)
    outbox.enqueue(session, "mail", manager_mail.as_payload(), f"request:{request.id}:manager-notification")
    outbox.enqueue(session, "mail", receipt.as_payload(), f"request:{request.id}:receipt")
    session.commit()
    log.info("access request %s stored for customer %s", request.id, customer.customer_number)
    return Outcome("created", request=request)
