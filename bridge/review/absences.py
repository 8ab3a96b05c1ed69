"""A regional manager names a deputy for an absence: from the first to the last day (company time) the deputy
sees and decides the manager's requests. The deputy is told by e-mail; everything is audited."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.core import audit
from bridge.core.models import Absence, Customer
from bridge.delivery import mailer, outbox
from bridge.review.service import Reviewer


def upcoming(session: Session, reviewer: Reviewer, today: date) -> list[Absence]:
    """The reviewer's absences that have not ended yet, the soonest first."""
    return list(session.scalars(select(Absence).where(
        Absence.manager_email == reviewer.email, Absence.last_day >= today).order_by(Absence.first_day, Absence.id)))


def _language_of(session: Session, address: str, default: str) -> str:
    """The language the directory gives for a manager's address, else `default`."""
    return session.scalar(select(Customer.manager_language).where(Customer.manager_email == address).limit(1)) \
        or default


def name_deputy(session: Session, reviewer: Reviewer, deputy_email: str, first_day: date, last_day: date,
                language: str, review_url: str, now: datetime, remote_addr: str) -> Absence:
    """Record the absence and tell the deputy (outbox, in their directory language or the manager's)."""
    absence = Absence(manager_email=reviewer.email, deputy_email=deputy_email, first_day=first_day,
                      last_day=last_day, created_at=now)
    session.add(absence)
    session.flush()
    audit.record(session, reviewer.email, "absence_named", None, remote_addr, now, deputy=deputy_email,
                 first_day=first_day.isoformat(), last_day=last_day.isoformat())
    outbox.enqueue_mail(session, mailer.compose(
        "absence_deputy", deputy_email, _language_of(session, deputy_email, language), manager=reviewer,
        first_day=first_day, last_day=last_day, review_url=review_url,
    ), f"absence:{absence.id}:named")
    session.commit()
    return absence


def cancel(session: Session, reviewer: Reviewer, absence_id: int, now: datetime, remote_addr: str) -> bool:
    """End one of the reviewer's own absences now; False when it is not theirs (or gone)."""
    absence = session.get(Absence, absence_id)
    if absence is None or absence.manager_email != reviewer.email:
        return False
    audit.record(session, reviewer.email, "absence_cancelled", None, remote_addr, now, deputy=absence.deputy_email,
                 first_day=absence.first_day.isoformat(), last_day=absence.last_day.isoformat())
    session.delete(absence)
    session.commit()
    return True
