"""The team page's fixtures: a team admin of customer 100001 (region west) with a colleague, a partner of
customer 100002 (region east), and a test client signed in as a team admin."""

from __future__ import annotations

import secrets
import time

import pytest

from bridge.keycloak.access import PARTNER_ROLE, TEAM_ADMIN_ROLE
from tests.support.manager import csrf_token

ADMIN_EMAIL = "ines.roux@pharmacie-centrale.example"
COLLEAGUE_EMAIL = "lou.brun@pharmacie-centrale.example"
EAST_EMAIL = "max.weber@apotheke-ost.example"


def person(twin, email: str, customer_number: str, *roles: str, first_name: str = "Lou", last_name: str = "Brun") -> str:
    """A person of a customer's organization in the twin, with `roles`, who signed in once."""
    organization_id = twin.ensure_organization(customer_number, f"Company {customer_number}", "west")
    user_id = twin.ensure_user(email, first_name, last_name, "fr", {"customer_number": customer_number})
    twin.add_member(organization_id, user_id)
    for role in roles:
        twin.grant_realm_role(user_id, role)
    twin.start_session(user_id)
    return user_id


@pytest.fixture
def team_admin_id(twin) -> str:
    return person(twin, ADMIN_EMAIL, "100001", PARTNER_ROLE, TEAM_ADMIN_ROLE, first_name="Inès", last_name="Roux")


@pytest.fixture
def colleague_id(twin) -> str:
    return person(twin, COLLEAGUE_EMAIL, "100001", PARTNER_ROLE)


@pytest.fixture
def east_partner_id(twin) -> str:
    return person(twin, EAST_EMAIL, "100002", PARTNER_ROLE, first_name="Max", last_name="Weber")


def signed_in(app, user_id: str, language: str = "en"):
    """A client of `app` signed in to the team page (the OIDC part is tested against the real Keycloak; here the
    session holds what the callback would have stored)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    with client.session_transaction() as session:
        session["team_user_id"] = user_id
        session["seen_at"] = session["signed_in_at"] = time.time()
        session["sid"] = secrets.token_urlsafe(16)
    return client


@pytest.fixture
def team_client(app):
    """team_client(user_id, language="en"): a client signed in to the team page as that user."""
    return lambda user_id, language="en": signed_in(app, user_id, language)


@pytest.fixture
def team(team_client, team_admin_id, colleague_id):
    """The team admin of customer 100001, signed in, with one colleague."""
    return team_client(team_admin_id)


def post(client, path: str, **data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/team/")})
