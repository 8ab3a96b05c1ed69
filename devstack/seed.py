"""Demo data for the local stack, created through Keycloak's admin API (never in realm-export.json)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from bridge.keycloak.access import TEAM_ADMIN_ROLE
from bridge.keycloak.gateway import KeycloakGateway

DEMO_CUSTOMERS = Path(__file__).resolve().parent / "demo-customers.csv"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    first_name: str
    last_name: str
    role: str
    locale: str = "fr"
    customer_number: str = ""
    team_admin: bool = False  # also a team admin of their customer (bridge/team/)


PARTNER = DemoAccount("partner@pharmacie-centrale.example", "Partner-Demo-2026!", "Camille", "Martin",
                      "b2b-partner", customer_number="100001")
MANAGER_WEST = DemoAccount("manager.west@woundwo.example", "Manager-Demo-2026!", "Julie", "Bernard",
                           "regional-manager")
MANAGER_EAST = DemoAccount("manager.east@woundwo.example", "Manager-Demo-2026!", "Jonas", "Weber",
                           "regional-manager", locale="de")
TEAM_ADMIN = DemoAccount("team.admin@pharmacie-centrale.example", "Team-Demo-2026!", "Inès", "Roux", "b2b-partner",
                         customer_number="100001", team_admin=True)
ADMIN = DemoAccount("admin@woundwo.example", "Admin-Demo-2026!", "Alex", "Durand", "b2b-admin", locale="en")
DEMO_ACCOUNTS = (PARTNER, TEAM_ADMIN, MANAGER_WEST, MANAGER_EAST, ADMIN)


def demo_customers() -> dict[str, dict[str, str]]:
    """The demo customer directory, keyed by customer number."""
    with DEMO_CUSTOMERS.open(encoding="utf-8", newline="") as stream:
        return {row["customer_number"]: row for row in csv.DictReader(stream)}


def seed_keycloak(gateway: KeycloakGateway) -> None:
    """Create (or confirm) the demo accounts, the partner's organization and their roles; idempotent."""
    customers = demo_customers()
    for account in DEMO_ACCOUNTS:
        attributes = {"customer_number": account.customer_number} if account.customer_number else {}
        user_id = gateway.ensure_user(account.email, account.first_name, account.last_name, account.locale,
                                      attributes, email_verified=True)
        gateway.set_password(user_id, account.password)
        gateway.grant_realm_role(user_id, account.role)
        if account.team_admin:
            gateway.grant_realm_role(user_id, TEAM_ADMIN_ROLE)
        if account.customer_number:
            customer = customers[account.customer_number]
            organization_id = gateway.ensure_organization(customer["customer_number"], customer["company"],
                                                          customer["region"])
            gateway.add_member(organization_id, user_id)
