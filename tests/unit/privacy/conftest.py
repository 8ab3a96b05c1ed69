"""People at every stage of a request, made through the bridge's own forms and review UI, for the privacy rules."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, AuditEvent, OutboxKind
from bridge.keycloak.access import MANAGER_ROLE
from tests.support.forms import send_contact, submit_request
from tests.support.worker import run_outbox
from tests.unit.review.conftest import WEST, post


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str

    @property
    def values(self) -> list[str]:
        return [self.first_name, self.last_name, self.email, self.phone]


REJECTED = Person("Ariane", "Quillet", "ariane.quillet@pharmacie-centrale.example", "+33 2 40 11 22 33")
EXPIRED = Person("Bertrand", "Vasseur", "bertrand.vasseur@pharmacie-centrale.example", "+33 2 40 44 55 66")
ENDED = Person("Cosima", "Lindqvist", "cosima.lindqvist@pharmacie-centrale.example", "+33 2 40 77 88 99")
ACTIVE = Person("Damien", "Roussel", "damien.roussel@pharmacie-centrale.example", "+33 2 40 12 34 56")
WROTE = Person("Elodie", "Marchal", "elodie.marchal@pharmacie-centrale.example", "")


def request_of(app, client, person: Person) -> int:
    response = submit_request(client, "fr", first_name=person.first_name, last_name=person.last_name,
                              email=person.email, phone=person.phone, message=f"Merci, {person.first_name}")
    assert response.status_code == 302
    with app.app_context():
        return session().scalars(select(AccessRequest.id).where(AccessRequest.email == person.email)).one()


def decision_history(app) -> dict:
    """What must still add up after any forgetting: who did what how often, and each manager's decisions."""
    with app.app_context():
        return {"events": Counter((event.actor, event.action) for event in session().scalars(select(AuditEvent))),
                "decided": Counter(session().scalars(select(AccessRequest.decided_by))),
                "statuses": Counter(session().scalars(select(AccessRequest.status)))}


@pytest.fixture
def everyone(app, client, twin, reviewer_client):
    """A rejected, an expired, an ended and an active request, a contact message; every e-mail delivered."""
    west = reviewer_client(WEST, MANAGER_ROLE)
    ids = {person: request_of(app, client, person) for person in (REJECTED, EXPIRED, ENDED, ACTIVE)}
    assert post(west, f"/manage/requests/{ids[REJECTED]}/reject", reason=f"{REJECTED.first_name} is unknown",
                notify="y").status_code == 302
    for person in (ENDED, ACTIVE):
        assert post(west, f"/manage/requests/{ids[person]}/approve", confirmed="yes", note=f"ok {person.last_name}").status_code == 302
    run_outbox(app, kinds=(OutboxKind.PROVISION,))
    ended_id = twin.find_user_by_email(ENDED.email)["id"]
    assert post(west, f"/manage/people/{ended_id}/revoke", reason=f"{ENDED.first_name} left").status_code == 302
    with app.app_context():
        session().get(AccessRequest, ids[EXPIRED]).status = "expired"
        session().commit()
    assert send_contact(client, "fr", name=f"{WROTE.first_name} {WROTE.last_name}", email=WROTE.email).status_code == 302
    run_outbox(app, kinds=(OutboxKind.MAIL,))
    return ids
