"""What the big realm holds, decided once and deterministically: the same run gives the same people, ids and
requests, so Keycloak's database and the bridge's agree without asking each other."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from functools import cached_property

from bench.customer_import import FR_NAMES, DE_NAMES, generate

CUSTOMERS = 100_000
ORGANIZATIONS = 20_000
PARTNERS = 100_000  # PARTNERS // ORGANIZATIONS people per organization
TEAM_ADMIN_EVERY = 50  # partner 0, 50, 100, …: one organization in ten has a team admin
REQUESTS = 50_000
PENDING = 10_000
MANAGERS = tuple(f"manager.{index}@woundwo.example" for index in range(1, 9))
PASSWORD = "Partner-Bench-2026!"
NAMESPACE = uuid.UUID("5d3c1c53-4b37-4a57-9a3a-0b4f8a0e7c72")
# Requests that are not pending: (status, how many), in this order after the approved ones of partners 0…
DECIDED = (("approved", 30_000), ("revoked", 3_000), ("rejected", 4_000), ("expired", 3_000))
FIRST_NAMES = ("Camille", "Lou", "Inès", "Jonas", "Lena", "Hugo", "Emma", "Paul", "Mia", "Noah", "Léa", "Jürgen")


def stable_id(kind: str, key: object) -> str:
    """A UUID derived from what it names, the same in every run."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


@dataclass(frozen=True)
class Partner:
    index: int
    customer_number: str
    first_name: str
    last_name: str
    locale: str

    @property
    def id(self) -> str:
        return stable_id("partner", self.index)

    @property
    def email(self) -> str:
        return f"partner{self.index:06d}@c{self.customer_number}.example"

    @property
    def team_admin(self) -> bool:
        return self.index % TEAM_ADMIN_EVERY == 0


@dataclass(frozen=True)
class Request:
    index: int
    customer_number: str
    company: str
    manager: str
    first_name: str
    last_name: str
    email: str
    language: str
    status: str
    days_ago: float  # created this long ago
    keycloak_user_id: str | None


class Plan:
    """The directory's rows (as bench.customer_import writes them, 8 managers), the organizations (the first
    20,000 customers with a manager), the partners and the requests."""

    @cached_property
    def customers(self) -> list[list[str]]:
        rows = generate(CUSTOMERS)
        for index, row in enumerate(rows):
            if row[5]:  # 2 % keep no manager: routed to the fallback address
                row[5] = MANAGERS[index % len(MANAGERS)]
        return rows

    @cached_property
    def organizations(self) -> list[list[str]]:
        return [row for row in self.customers if row[5]][:ORGANIZATIONS]

    def partner(self, index: int) -> Partner:
        row = self.organizations[index // (PARTNERS // ORGANIZATIONS)]
        names = DE_NAMES if row[6] == "de" else FR_NAMES
        return Partner(index, row[0], FIRST_NAMES[index % len(FIRST_NAMES)], names[index % len(names)],
                       row[6] or "fr")

    @cached_property
    def partners(self) -> list[Partner]:
        return [self.partner(index) for index in range(PARTNERS)]

    @cached_property
    def requests(self) -> list[Request]:
        """The approved ones belong to partners 0…; the other decided ones and the pending ones to people
        Keycloak does not know (pending: 7 in 10 for a customer with an organization, 3 in 10 without)."""
        r = random.Random(19)
        managed = [row for row in self.customers if row[5]]
        found, index = [], 0
        for status, count in DECIDED:
            for _ in range(count):
                if status == "approved":
                    person = self.partners[index]
                    row = self.organizations[index // (PARTNERS // ORGANIZATIONS)]
                    email, first, last, user_id = person.email, person.first_name, person.last_name, person.id
                else:
                    row = managed[r.randrange(len(managed))]
                    first, last = FIRST_NAMES[index % len(FIRST_NAMES)], FR_NAMES[index % len(FR_NAMES)]
                    email = f"former{index:06d}@c{row[0]}.example"
                    user_id = stable_id("former", index) if status == "revoked" else None
                found.append(Request(index, row[0], row[1], row[5], first, last, email, row[6] or "fr", status,
                                     r.uniform(2, 60), user_id))
                index += 1
        for pending in range(PENDING):
            row = self.organizations[r.randrange(ORGANIZATIONS)] if r.random() < 0.7 else \
                managed[ORGANIZATIONS + r.randrange(len(managed) - ORGANIZATIONS)]
            found.append(Request(index, row[0], row[1], row[5], FIRST_NAMES[pending % len(FIRST_NAMES)],
                                 FR_NAMES[pending % len(FR_NAMES)], f"new{pending:05d}@c{row[0]}.example",
                                 row[6] or "fr", "pending", r.uniform(0, 20), None))
            index += 1
        return found
