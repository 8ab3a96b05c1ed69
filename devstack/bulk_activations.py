"""Many approved, provisioned requests whose activation is due: the state an approval and its provisioning leave.

For speed the Keycloak side is created directly with the bridge's gateway (a few threads, one gateway
each): user (username = e-mail, locale, customer_number), realm role b2b-partner, membership of the
customer's organization. The bridge side is inserted with the bridge's own models: the customer, one
approved AccessRequest per person (keycloak_user_id set, decided now, activation due in the past) and
its "activation" outbox item through bridge.delivery.activation.schedule, exactly as an approval does.

Also here: running flask commands as subprocesses, and counting the activation e-mails of a set of
recipients in the mail catcher. Used by the tests and by bench/activations.py (so: no pytest here).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Iterable, Iterator

import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.delivery import activation
from bridge.core.db import make_engine
from bridge.keycloak.gateway import KeycloakGateway
from bridge.core.models import AccessRequest, AuditEvent, Customer, OutboxItem, OutboxKind, RequestStatus
from devstack import processes
from devstack.seed import MANAGER_WEST, demo_customers
from devstack.settings import REPO_ROOT

LANGUAGES = ("fr", "de", "en")
CUSTOMER = "100001"
PARTNER_ROLE = "b2b-partner"


@dataclass(frozen=True)
class Person:
    email: str
    language: str
    user_id: str


def _in_threads(work: Callable, items: list, gateway_factory: Callable[[], KeycloakGateway], threads: int) -> list:
    """work(gateway, item) for every item, `threads` at a time, each thread with a gateway of its own."""
    local = threading.local()

    def run(item):
        if not hasattr(local, "gateway"):
            local.gateway = gateway_factory()
        return work(local.gateway, item)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(run, items))


def create_people(gateway_factory: Callable[[], KeycloakGateway], emails: list[str], customer_number: str = CUSTOMER,
                  threads: int = 6) -> list[Person]:
    """Provisioned partner accounts for `emails`, languages fr, de, en in turn (as review.provision leaves them)."""
    customer = demo_customers()[customer_number]
    organization_id = gateway_factory().ensure_organization(customer_number, customer["company"], customer["region"])

    def create(gateway: KeycloakGateway, numbered: tuple[int, str]) -> Person:
        index, email = numbered
        language = LANGUAGES[index % len(LANGUAGES)]
        user_id = gateway.ensure_user(email, "Lou", f"Batch{index}", language, {"customer_number": customer_number})
        gateway.grant_realm_role(user_id, PARTNER_ROLE)
        gateway.add_member(organization_id, user_id)
        return Person(email, language, user_id)

    return _in_threads(create, list(enumerate(emails)), gateway_factory, threads)


def delete_people(gateway_factory: Callable[[], KeycloakGateway], people: Iterable[Person], threads: int = 6) -> None:
    """Remove the accounts again (a shared Keycloak should not keep hundreds of test users)."""

    def delete(gateway: KeycloakGateway, person: Person) -> None:
        try:
            gateway.delete_user(person.user_id)
        except Exception:  # noqa: BLE001 - already gone, or Keycloak stopped: nothing to clean up then
            pass

    _in_threads(delete, list(people), gateway_factory, threads)


@contextmanager
def partner_accounts(keycloak, client_secret: str, tag: str, count: int) -> Iterator[list[Person]]:
    """`count` provisioned partners with addresses unique to this run; removed again from a shared Keycloak."""
    run = uuid.uuid4().hex[:8]
    emails = [f"{tag}.{run}.{index:03d}@pharmacie-centrale.example" for index in range(count)]

    def gateway() -> KeycloakGateway:
        return KeycloakGateway(keycloak.url, "woundwo", "b2b-bridge", client_secret, 10)

    created = create_people(gateway, emails)
    try:
        yield created
    finally:
        if keycloak.reused:  # a Keycloak of this session is thrown away anyway; a shared one is cleaned up
            delete_people(gateway, created)


# --- the bridge's database ------------------------------------------------------------------------


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "bridge", *args]


def migrate(env: dict[str, str], log: Path) -> None:
    """`flask --app bridge db upgrade` against env's BRIDGE_DATABASE_URL, as an operator runs it."""
    process = processes.spawn(flask_command("db", "upgrade"), env, log, cwd=REPO_ROOT)
    if process.wait(120) != 0:
        raise RuntimeError(f"db upgrade failed; see {log}")


def insert_due_activations(database_url: str, people: list[Person], now: datetime,
                           customer_number: str = CUSTOMER) -> list[int]:
    """One approved, provisioned request per person, decided at `now`, activation due an hour before; return ids."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            if session.get(Customer, customer_number) is None:
                row = demo_customers()[customer_number]
                session.add(Customer(customer_number=customer_number, company=row["company"], country=row["country"],
                                     postal_code=row["postal_code"], region=row["region"],
                                     manager_email=row["manager_email"], manager_language=row["manager_language"]))
                session.flush()  # no ORM relationship orders the inserts: the customer must exist first
            requests_ = [AccessRequest(
                customer_number=customer_number, company="Pharmacie Centrale", first_name="Lou",
                last_name=f"Batch{index}", email=person.email, language=person.language, message="",
                privacy_consent_at=now - timedelta(days=1), assigned_manager_email=MANAGER_WEST.email,
                status=RequestStatus.APPROVED, created_at=now - timedelta(days=1), updated_at=now, decided_at=now,
                decided_by=MANAGER_WEST.email, decision_note="", keycloak_user_id=person.user_id,
                activation_due_at=now - timedelta(hours=1),
            ) for index, person in enumerate(people)]
            session.add_all(requests_)
            session.flush()
            for request in requests_:
                activation.schedule(session, request)
            session.commit()
            return [request.id for request in requests_]
    finally:
        engine.dispose()


@dataclass
class Progress:
    sent: int  # requests with activation_sent_at
    outbox: dict[str, int]  # activation items by status
    audit: dict[str, int]  # activation audit events by action


def progress(database_url: str) -> Progress:
    """How far the activations in a database are (one short-lived connection)."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            sent = session.scalar(select(func.count()).select_from(AccessRequest)
                                  .where(AccessRequest.activation_sent_at.is_not(None)))
            outbox = dict(session.execute(select(OutboxItem.status, func.count()).where(OutboxItem.kind == OutboxKind.ACTIVATION)
                                          .group_by(OutboxItem.status)).all())
            audit = dict(session.execute(select(AuditEvent.action, func.count())
                                         .where(AuditEvent.action.like("activation%")).group_by(AuditEvent.action)).all())
            return Progress(sent, outbox, audit)
    finally:
        engine.dispose()


def sent_emails(database_url: str) -> set[str]:
    """E-mail addresses whose request has activation_sent_at."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return set(session.scalars(select(AccessRequest.email).where(AccessRequest.activation_sent_at.is_not(None))))
    finally:
        engine.dispose()


# --- the mail catcher (Mailpit API) ---------------------------------------------------------------


class Mailbox:
    """The activation e-mails of a known set of recipients; other people's mail is left alone."""

    def __init__(self, api_url: str, subjects: dict[str, str]):
        self.api_url = api_url.rstrip("/")
        self.subjects = subjects

    def total(self) -> int:
        """How many messages the catcher holds (cheap: one summary is parsed)."""
        return requests.get(f"{self.api_url}/api/v1/messages", params={"limit": 1}, timeout=10).json()["total"]

    def newest(self) -> dict | None:
        messages = requests.get(f"{self.api_url}/api/v1/messages", params={"limit": 1}, timeout=10).json()["messages"]
        return messages[0] if messages else None

    def messages_to(self, recipients: Iterable[str]) -> list[dict]:
        """Every message (summary) to one of `recipients`."""
        wanted = {address.lower() for address in recipients}
        everything = requests.get(f"{self.api_url}/api/v1/messages", params={"limit": 0}, timeout=120).json()["messages"]
        return [m for m in everything if any(to["Address"].lower() in wanted for to in m["To"])]

    def by_recipient(self, people: Iterable[Person]) -> dict[str, list[dict]]:
        """Messages per recipient address (lower case), for the given people."""
        people = list(people)
        found: dict[str, list[dict]] = defaultdict(list)
        for message in self.messages_to(p.email for p in people):
            for to in message["To"]:
                found[to["Address"].lower()].append(message)
        return found

    def problems(self, people: Iterable[Person]) -> list[str]:
        """Everyone who did not get exactly one activation e-mail with the subject of their language."""
        people = list(people)
        found = self.by_recipient(people)
        wrong = []
        for person in people:
            mails = found.get(person.email.lower(), [])
            subjects = [m["Subject"] for m in mails]
            if subjects != [self.subjects[person.language]]:
                wrong.append(f"{person.email} ({person.language}): {len(mails)} e-mail(s) {subjects}")
        return wrong

    def delete(self, messages: Iterable[dict]) -> None:
        """Delete these messages only (by id): the catcher is shared with other tests."""
        ids = [m["ID"] for m in messages]
        for start in range(0, len(ids), 500):
            requests.delete(f"{self.api_url}/api/v1/messages", json={"IDs": ids[start:start + 500]},
                            timeout=30).raise_for_status()


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.5,
               alive: Iterable[subprocess.Popen] = (), what: str = "condition") -> float:
    """Poll `condition` until true; fail after `timeout` s or when one of `alive` exits. Return the seconds taken."""
    started = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - started
        for process in alive:
            if process.poll() is not None:
                raise AssertionError(f"{process.args} exited with {process.returncode} before {what}")
        if time.monotonic() - started > timeout:
            raise AssertionError(f"no {what} after {timeout:.0f} s")
        time.sleep(interval)
