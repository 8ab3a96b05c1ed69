"""Contact messages: find the regional manager of a customer number and queue the e-mail to them in the outbox."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.core.addresses import normalize
from bridge.delivery import mailer, outbox
from bridge.directory.customers import find_customer, normalize_customer_number

log = logging.getLogger(__name__)


@dataclass
class ContactMessage:
    """What a person typed, already validated for format."""

    name: str
    email: str
    customer_number: str
    message: str


class ContactOutcome(StrEnum):
    SENT = "sent"
    UNKNOWN_CUSTOMER = "unknown_customer"


def _message_key(data: ContactMessage, customer_number: str, now: datetime) -> str:
    """The same message sent twice on one day (a double click, a reload) is one e-mail."""
    typed = "\0".join((normalize(data.email), customer_number, data.name, data.message))
    return f"contact:{now:%Y-%m-%d}:{hashlib.sha256(typed.encode()).hexdigest()[:32]}"


def send(session: Session, data: ContactMessage, now: datetime, fallback_manager: str) -> ContactOutcome:
    """Queue the message for the regional manager of the customer number (the fallback address when the
    directory names none); the person never learns the manager's address, and replies reach the person."""
    customer = find_customer(session, normalize_customer_number(data.customer_number))
    if customer is None:
        return ContactOutcome.UNKNOWN_CUSTOMER
    mail = mailer.compose("contact_manager", customer.manager_email or fallback_manager, customer.manager_language,
                          contact=data, customer=customer, without_manager=customer.manager_email is None)
    mail.reply_to = normalize(data.email)
    outbox.enqueue_mail(session, mail, _message_key(data, customer.customer_number, now))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # already queued: the first one goes out
    log.info("contact message queued for the manager of customer %s", customer.customer_number)
    return ContactOutcome.SENT
