"""A customer's list in the latest round: who is on it, as Keycloak knows them now, and the answers given.

Who may answer is decided by the caller's blueprint (the team admin of the customer, or its regional manager or
an admin); removals go through the caller's own way of ending access, with its scoping and its notices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bridge.confirmation.rounds import latest
from bridge.core import audit
from bridge.core.models import Answer, Confirmation, ConfirmationEntry, ConfirmationRound, Customer, SignIn
from bridge.delivery.schedule import local_day
from bridge.keycloak.interface import KeycloakDirectory

PAGE_SIZE = 50
REMOVAL_REASON = "has left (yearly confirmation)"


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    email: str
    last_sign_in: datetime | None
    answer: str

    @property
    def open(self) -> bool:
        """Still to be answered (a confirmed person may still be removed)."""
        return self.answer in (Answer.OPEN, Answer.CONFIRMED)


def current(session: Session, customer_number: str) -> Confirmation | None:
    """The customer's list in the latest round, if it has one."""
    last = latest(session)
    if last is None:
        return None
    return session.scalars(select(Confirmation).where(
        Confirmation.round_id == last.id, Confirmation.customer_number == customer_number)).first()


def period(confirmation_round: ConfirmationRound, config: Mapping) -> tuple[date, date]:
    """The round's first day and the day its answers are due (the managers are told), in company time."""
    due = confirmation_round.started_at + timedelta(days=config["CONFIRMATION_ESCALATION_DAYS"])
    return local_day(confirmation_round.started_at, config["TIME_ZONE"]), local_day(due, config["TIME_ZONE"])


def waiting(session: Session, customer_number: str) -> int:
    """How many people on the customer's list in the latest round nobody answered for yet."""
    confirmation = current(session, customer_number)
    if confirmation is None:
        return 0
    return session.scalar(select(func.count(ConfirmationEntry.id)).where(
        ConfirmationEntry.confirmation_id == confirmation.id, ConfirmationEntry.answer == Answer.OPEN))


def people(session: Session, directory: KeycloakDirectory, confirmation: Confirmation) -> list[Person]:
    """The people on the list, by name: one Keycloak call for the customer's members, one per person who is no
    longer a member (their access ended meanwhile)."""
    entries = list(session.scalars(select(ConfirmationEntry).where(
        ConfirmationEntry.confirmation_id == confirmation.id)))
    members = {member["id"]: member for member in directory.customer_members(confirmation.customer_number)}
    signed_in = dict(session.execute(select(SignIn.keycloak_user_id, SignIn.last_sign_in_at).where(
        SignIn.keycloak_user_id.in_([entry.keycloak_user_id for entry in entries]))).all())
    listed = []
    for entry in entries:
        person = members.get(entry.keycloak_user_id) or directory.get_user(entry.keycloak_user_id) or {}
        name = " ".join(part for part in (person.get("firstName"), person.get("lastName")) if part)
        listed.append(Person(entry.keycloak_user_id, name, person.get("email", ""),
                             signed_in.get(entry.keycloak_user_id), entry.answer))
    return sorted(listed, key=lambda person: (person.name.lower(), person.email))


def answer(session: Session, confirmation: Confirmation, given: dict[str, str], actor: str, now: datetime,
           remote_addr: str, remove: Callable[[str], object]) -> dict[str, int]:
    """Record the answers (user id → confirmed or removed) for people still on the list; `remove(user_id)` ends
    a person's access and commits. A confirmed person may still be removed; a removal is final. Return how
    many of each were recorded."""
    entries = {entry.keycloak_user_id: entry for entry in session.scalars(select(ConfirmationEntry).where(
        ConfirmationEntry.confirmation_id == confirmation.id).order_by(ConfirmationEntry.id))}
    done = {Answer.CONFIRMED: 0, Answer.REMOVED: 0}
    for user_id, value in given.items():
        entry = entries.get(user_id)
        if entry is None or entry.answer not in (Answer.OPEN, Answer.CONFIRMED) or value == entry.answer:
            continue
        entry.answer, entry.answered_at = value, now
        if value == Answer.CONFIRMED:
            audit.record(session, actor, "confirmed", None, remote_addr, now, keycloak_user_id=user_id,
                         customer_number=confirmation.customer_number, round=confirmation.round_id)
            session.commit()
        else:  # answered before the removal: ending access closes only the entries still open
            remove(user_id)
        done[value] += 1
    return {str(key): count for key, count in done.items()}


@dataclass(frozen=True)
class Progress:
    customer: Customer
    people: int
    unanswered: int


def overview(session: Session, manager_email: str | None,
             page: int) -> tuple[ConfirmationRound | None, list[Progress], int]:
    """The latest round's lists of a manager's customers (an admin: `manager_email` None, every customer), those
    with people nobody answered for first, PAGE_SIZE per page; and how many lists in all."""
    last = latest(session)
    if last is None:
        return None, [], 0
    unanswered = func.sum(case((ConfirmationEntry.answer == Answer.OPEN, 1), else_=0))
    query = (select(Customer, func.count(ConfirmationEntry.id), unanswered)
             .join(Confirmation, Confirmation.customer_number == Customer.customer_number)
             .join(ConfirmationEntry, ConfirmationEntry.confirmation_id == Confirmation.id)
             .where(Confirmation.round_id == last.id).group_by(Customer.customer_number))
    if manager_email is not None:
        query = query.where(Customer.manager_email == manager_email)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.order_by(unanswered == 0, Customer.customer_number)
                           .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return last, [Progress(customer, people, int(unanswered_count or 0))
                  for customer, people, unanswered_count in rows], total
