"""A confirmation round's timeline, as of a chosen instant (the worker's rounds, or `confirmations ... --now`).

A round starts each year on BRIDGE_CONFIRMATION_DAY, or when an operator starts one. Every customer whose people
have access gets a list of them, and whoever answers for it is asked by e-mail: the customer's team admins, or its
regional manager where there is none (one e-mail per manager for all their customers). After
BRIDGE_CONFIRMATION_REMINDER_DAYS the lists not fully answered get a reminder; after
BRIDGE_CONFIRMATION_ESCALATION_DAYS every regional manager is told which of their customers left people
unconfirmed, and where BRIDGE_CONFIRMATION_END_UNCONFIRMED is set those people lose their access. The round is
then over; a new one may start.

Each step is taken once even with two workers: the round's key and its reminded/escalated marks are conditional
updates, and every e-mail has an idempotency key.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.core.broadcast import ACCESS_CHANGED, Broadcast
from bridge.core.db import session as db_session
from bridge.core.i18n import language_of
from bridge.core.models import (AccessRequest, Answer, Confirmation, ConfirmationEntry, ConfirmationRound, Customer,
                                RequestStatus)
from bridge.delivery import mailer, outbox, provisioning
from bridge.delivery.directory_changes import manager_of
from bridge.delivery.handlers import WORKER_KEYCLOAK, guarded
from bridge.delivery.schedule import local_day
from bridge.keycloak.access import PARTNER_ROLE, TEAM_ADMIN_ROLE
from bridge.keycloak.interface import KeycloakDirectory, KeycloakUnavailable
from bridge.keycloak.profile import customer_number_of

log = logging.getLogger(__name__)
ACTOR = "yearly confirmation"


class RoundRunning(RuntimeError):
    """A round is still running: the next one starts after its managers were told."""


def latest(session: Session) -> ConfirmationRound | None:
    return session.scalars(select(ConfirmationRound).order_by(ConfirmationRound.id.desc())).first()


def _by_customer(people: list[dict]) -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for person in people:
        if person.get("enabled") and customer_number_of(person):
            grouped[customer_number_of(person)].append(person)
    return grouped


def _partners(session: Session, directory: KeycloakDirectory) -> dict[str, list[dict]]:
    """The partners by customer number as Keycloak lists them; when it cannot (at 100,000 partners its paged role
    listing does not finish within the worker's deadline: docs/benchmarks.md §7), those the bridge approved."""
    try:
        return _by_customer(directory.role_members(PARTNER_ROLE))
    except KeycloakUnavailable as exc:
        log.warning("partners not listed (%s): the lists hold the people the bridge approved", exc)
    grouped: dict[str, list[dict]] = defaultdict(list)
    for user_id, number in session.execute(select(AccessRequest.keycloak_user_id, AccessRequest.customer_number)
                                           .where(AccessRequest.status == RequestStatus.APPROVED,
                                                  AccessRequest.keycloak_user_id.is_not(None)).distinct()):
        grouped[number].append({"id": user_id})
    return grouped


def scheduled_key(session: Session, now: datetime, config: Mapping) -> str | None:
    """The key of this year's scheduled round when it is due at `now` and not started yet, else None."""
    if not config["CONFIRMATION_DAY"]:
        return None
    today = local_day(now, config["TIME_ZONE"])
    first_day = date.fromisoformat(f"{today.year}-{config['CONFIRMATION_DAY']}")
    last = latest(session)
    if today < first_day or (last is not None and local_day(last.started_at, config["TIME_ZONE"]) >= first_day):
        return None
    return str(today.year)


def start(session: Session, directory: KeycloakDirectory, key: str, now: datetime, config: Mapping) -> ConfirmationRound:
    """Start a round: a list per customer of the people who have access now, and the e-mails asking for answers."""
    last = latest(session)
    if last is not None and last.escalated_at is None:
        raise RoundRunning(last.started_at)
    partners = _partners(session, directory)
    partner_ids = {person["id"] for people in partners.values() for person in people}
    team_admins = _by_customer([person for person in directory.role_members(TEAM_ADMIN_ROLE)
                                if person["id"] in partner_ids])
    customers = {customer.customer_number: customer for customer in session.scalars(
        select(Customer).where(Customer.access_ended_at.is_(None)))}
    new_round = ConfirmationRound(key=key, started_at=now)
    session.add(new_round)
    session.flush()  # a second worker starting the same round stops here (unique key)
    numbers = sorted(partners.keys() & customers.keys())
    lists = {number: Confirmation(round_id=new_round.id, customer_number=number,
                                  by_team_admin=bool(team_admins.get(number))) for number in numbers}
    session.add_all(lists.values())
    session.flush()  # one batch, which gives the lists their ids
    session.add_all(ConfirmationEntry(confirmation_id=lists[number].id, keycloak_user_id=person["id"])
                    for number in numbers for person in sorted(partners[number], key=lambda person: person["id"]))
    _ask(session, new_round, [customers[number] for number in numbers], team_admins, "request", now, config)
    session.commit()
    log.info("confirmation round %s started: %s customer lists", new_round.id, len(numbers))
    return new_round


def _ask(session: Session, confirmation_round: ConfirmationRound, customers: list[Customer],
         team_admins: dict[str, list[dict]], step: str, now: datetime, config: Mapping) -> None:
    """Queue the e-mails asking for answers (`step`: "request" or "reminder"): one to each team admin of a
    customer that has some, one to each regional manager for their customers that have none."""
    due = confirmation_round.started_at + timedelta(days=config["CONFIRMATION_ESCALATION_DAYS"])
    by_manager: dict[str, list[Customer]] = defaultdict(list)
    for customer in customers:
        admins = team_admins.get(customer.customer_number)
        if not admins:
            by_manager[manager_of(customer, config)].append(customer)
        for admin in admins or ():
            language = language_of(admin)
            mail = mailer.compose("confirmation_request", admin["email"], language, step=step, customers=[customer],
                                  due=due, end_unconfirmed=config["CONFIRMATION_END_UNCONFIRMED"],
                                  answer_url=f"{config['PUBLIC_URL']}/team/confirm?lang={language}")
            outbox.enqueue_mail(session, mail, f"confirmation:{confirmation_round.id}:{admin['id']}:{step}")
    for manager, theirs in sorted(by_manager.items()):
        language = theirs[0].manager_language
        mail = mailer.compose("confirmation_request", manager, language, step=step, customers=theirs, due=due,
                              end_unconfirmed=config["CONFIRMATION_END_UNCONFIRMED"],
                              answer_url=f"{config['PUBLIC_URL']}/manage/confirmations?lang={language}")
        outbox.enqueue_mail(session, mail, f"confirmation:{confirmation_round.id}:manager:{manager}:{step}")


def unanswered(session: Session, confirmation_round: ConfirmationRound) -> list[Customer]:
    """The customers of the round whose list still has people nobody answered for, by number."""
    still_open = exists().where(ConfirmationEntry.confirmation_id == Confirmation.id,
                                ConfirmationEntry.answer == Answer.OPEN)
    return list(session.scalars(select(Customer).join(Confirmation).where(
        Confirmation.round_id == confirmation_round.id, still_open).order_by(Customer.customer_number)))


def _mark(session: Session, confirmation_round: ConfirmationRound, column, now: datetime) -> bool:
    """Set the round's reminded_at or escalated_at once: False when another worker came first."""
    taken = session.execute(update(ConfirmationRound).where(
        ConfirmationRound.id == confirmation_round.id, column.is_(None)).values({column: now}))
    return taken.rowcount == 1


def follow_up(session: Session, directory: KeycloakDirectory, broadcast: Broadcast, now: datetime,
              config: Mapping) -> dict[str, int]:
    """The latest round's steps due at `now`: the reminder, then the managers told (and the unconfirmed ended)."""
    done = {"reminded": 0, "escalated": 0, "ended": 0}
    current = latest(session)
    if current is None or current.escalated_at is not None:
        return done
    if current.reminded_at is None and now >= current.started_at + timedelta(days=config["CONFIRMATION_REMINDER_DAYS"]):
        customers = unanswered(session, current)
        if _mark(session, current, ConfirmationRound.reminded_at, now):
            team_admins = _by_customer(directory.role_members(TEAM_ADMIN_ROLE)) if customers else {}
            _ask(session, current, customers, team_admins, "reminder", now, config)
            done["reminded"] = len(customers)
        session.commit()
    if now >= current.started_at + timedelta(days=config["CONFIRMATION_ESCALATION_DAYS"]):
        customers, counts = unanswered(session, current), _open_counts(session, current)
        if config["CONFIRMATION_END_UNCONFIRMED"]:
            done["ended"] = _end_unconfirmed(session, directory, broadcast, current, now)
        if _mark(session, current, ConfirmationRound.escalated_at, now):
            _tell_managers(session, current, customers, counts, config)
            done["escalated"] = len(customers)
        session.commit()
    if any(done.values()):
        log.info("confirmation round %s: %s", current.id, done)
    return done


def _open_entries(session: Session, confirmation_round: ConfirmationRound) -> list[tuple[ConfirmationEntry, str]]:
    """The round's entries nobody answered, with their customer number."""
    return list(session.execute(select(ConfirmationEntry, Confirmation.customer_number).join(
        Confirmation, Confirmation.id == ConfirmationEntry.confirmation_id).where(
        Confirmation.round_id == confirmation_round.id, ConfirmationEntry.answer == Answer.OPEN,
    ).order_by(ConfirmationEntry.id)))


def _end_unconfirmed(session: Session, directory: KeycloakDirectory, broadcast: Broadcast,
                     confirmation_round: ConfirmationRound, now: datetime) -> int:
    """End the access of the people nobody confirmed (one commit each; the list's entry says "ended")."""
    ended = 0
    for entry, customer_number in _open_entries(session, confirmation_round):
        person = directory.get_user(entry.keycloak_user_id)
        if person is None:
            entry.answer, entry.answered_at = Answer.ENDED, now
        else:
            provisioning.end_access(session, directory, ACTOR, person, customer_number,
                                    "not confirmed in the yearly confirmation", now, "", via="confirmation")
            ended += 1
        session.commit()
        if person is not None:
            broadcast.publish(ACCESS_CHANGED, person.get("email", ""))
    return ended


def _tell_managers(session: Session, confirmation_round: ConfirmationRound, customers: list[Customer],
                   counts: dict[str, int], config: Mapping) -> None:
    """One e-mail per regional manager: their customers whose lists nobody finished, and how many people each."""
    by_manager: dict[str, list[Customer]] = defaultdict(list)
    for customer in customers:
        by_manager[manager_of(customer, config)].append(customer)
    for manager, theirs in sorted(by_manager.items()):
        language = theirs[0].manager_language
        mail = mailer.compose("confirmation_unanswered", manager, language, customers=theirs, counts=counts,
                              ended=config["CONFIRMATION_END_UNCONFIRMED"], started=confirmation_round.started_at,
                              answer_url=f"{config['PUBLIC_URL']}/manage/confirmations?lang={language}")
        outbox.enqueue_mail(session, mail, f"confirmation:{confirmation_round.id}:manager:{manager}:unanswered")


def _open_counts(session: Session, confirmation_round: ConfirmationRound) -> dict[str, int]:
    """People nobody answered for, per customer number."""
    return dict(session.execute(select(Confirmation.customer_number, func.count(ConfirmationEntry.id))
                                .join(ConfirmationEntry).where(Confirmation.round_id == confirmation_round.id,
                                                               ConfirmationEntry.answer == Answer.OPEN)
                                .group_by(Confirmation.customer_number)).all())


def step(session: Session, directory: KeycloakDirectory, broadcast: Broadcast, now: datetime,
         config: Mapping) -> dict[str, int]:
    """What is due at `now`: this year's round if its day has come (unless one is still running), then the
    latest round's reminder and escalation."""
    started = 0
    key = scheduled_key(session, now, config)
    if key is not None:
        try:
            start(session, directory, key, now, config)
            started = 1
        except (RoundRunning, IntegrityError):  # still running, or another worker started it first
            session.rollback()
    return {"started": started, **follow_up(session, directory, broadcast, now, config)}


def worker_round(now: datetime) -> dict[str, int]:
    """The worker's periodic step (inside the app context); a failing part waits for the next round."""
    app = current_app
    return guarded("confirmation round", lambda: step(
        db_session(), app.extensions[WORKER_KEYCLOAK], app.extensions["bridge.broadcast"], now, app.config))
