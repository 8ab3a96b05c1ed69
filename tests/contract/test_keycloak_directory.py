"""One contract, two implementations: the in-memory twin (always) and the real Keycloak (integration).

Every assertion here holds for both; a behaviour the services rely on belongs here, so that the twin
the fast tests use cannot drift from the Keycloak production runs.
"""

from __future__ import annotations

import time
import uuid

import pytest

from bridge.keycloak.access import ACCESS_ROLES, PARTNER_ROLE, TEAM_ADMIN_ROLE, has_access
from bridge.keycloak.interface import KeycloakRefused
from devstack.settings import TEST_PORTS
from tests.support.keycloak_twin import KeycloakTwin
from tests.support.oidc import authorization_code, browser_session, open_login_page, submit_login

# A redirect URI the realm's b2b-portal client allows (the test ports move with WOUNDWO_TEST_PORT_OFFSET).
PORTAL = f"http://localhost:{TEST_PORTS.portal}/"


@pytest.fixture(params=["twin", pytest.param("keycloak", marks=pytest.mark.integration)])
def directory(request):
    """The twin, or the bridge's python-keycloak gateway against the test Keycloak."""
    if request.param == "twin":
        return KeycloakTwin()
    return request.getfixturevalue("gateway")


@pytest.fixture
def sign_in(request, directory):
    """sign_in(user_id, email): leave a session behind, as a person signing in at the portal would."""
    if isinstance(directory, KeycloakTwin):
        return lambda user_id, email: directory.start_session(user_id)
    keycloak, env = request.getfixturevalue("keycloak"), request.getfixturevalue("test_env")
    redirect_uri = env["PORTAL_URL"] + "/callback"

    def real_sign_in(user_id: str, email: str) -> None:
        directory.set_password(user_id, "Contract-Test-2026!")
        browser = browser_session()
        page = open_login_page(browser, keycloak.url, "b2b-portal", redirect_uri)
        assert authorization_code(submit_login(browser, page, email, "Contract-Test-2026!"), redirect_uri)

    return real_sign_in


def new_address() -> str:
    return f"contract.{uuid.uuid4().hex[:10]}@pharmacie-centrale.example"


def new_customer_number() -> str:
    return f"9{uuid.uuid4().int % 10**8:08d}"


def test_ensure_user_is_idempotent_and_found_by_its_exact_address_in_any_case(directory):
    email = new_address()
    user_id = directory.ensure_user(email, "Lou", "Brun", "de", {"customer_number": "100001"})
    assert directory.ensure_user(email.upper(), "Other", "Name", "fr", {}) == user_id
    found = directory.find_user_by_email(email.upper())
    assert found["id"] == user_id and found["email"] == email and found["username"] == email
    assert found["enabled"] is True and found["firstName"] == "Lou"
    assert found["attributes"]["customer_number"] == ["100001"] and found["attributes"]["locale"] == ["de"]
    assert directory.find_user_by_email("x" + email) is None
    assert directory.find_user_by_email(email.split("@")[0]) is None


def test_unknown_user_id_is_none_and_reading_or_changing_it_is_refused(directory):
    missing = str(uuid.uuid4())
    assert directory.get_user(missing) is None
    for change in (lambda: directory.grant_realm_role(missing, PARTNER_ROLE), lambda: directory.set_enabled(missing, False),
                   lambda: directory.delete_user(missing), lambda: directory.has_password(missing),
                   lambda: directory.realm_roles(missing),
                   lambda: directory.send_set_password_email(missing, 3600, "b2b-portal", PORTAL)):
        with pytest.raises(KeycloakRefused) as refused:
            change()
        assert refused.value.status == 404


def test_a_new_user_has_no_b2b_role_until_granted_once_or_twice(directory):
    email = new_address()
    user_id = directory.ensure_user(email, "Lou", "Brun", "fr", {})
    assert not directory.realm_roles(user_id) & ACCESS_ROLES
    assert has_access(directory, email) is False
    directory.grant_realm_role(user_id, PARTNER_ROLE)
    directory.grant_realm_role(user_id, PARTNER_ROLE)
    assert directory.realm_roles(user_id) & ACCESS_ROLES == {PARTNER_ROLE}
    assert has_access(directory, email) is True
    with pytest.raises(KeycloakRefused) as refused:
        directory.grant_realm_role(user_id, "no-such-role")
    assert refused.value.status == 404


def test_a_disabled_user_has_no_access_and_gets_no_action_email(directory):
    email = new_address()
    user_id = directory.ensure_user(email, "Lou", "Brun", "fr", {})
    directory.grant_realm_role(user_id, PARTNER_ROLE)
    directory.set_enabled(user_id, False)
    assert directory.get_user(user_id)["enabled"] is False
    assert has_access(directory, email) is False
    with pytest.raises(KeycloakRefused) as refused:
        directory.send_set_password_email(user_id, 3600, "b2b-portal", PORTAL)
    assert refused.value.status == 400


def test_a_password_once_set_is_known(directory):
    user_id = directory.ensure_user(new_address(), "Lou", "Brun", "fr", {})
    assert directory.has_password(user_id) is False
    directory.set_password(user_id, "Contract-Test-2026!")
    assert directory.has_password(user_id) is True


def test_organizations_are_found_by_customer_number_and_membership_is_idempotent(directory):
    number = new_customer_number()
    assert directory.find_organization(number) is None and directory.customer_members(number) == []
    organization_id = directory.ensure_organization(number, "Pharmacie du Contrat", "west")
    assert directory.ensure_organization(number, "Pharmacie du Contrat", "west") == organization_id
    organization = directory.find_organization(number)
    assert organization["id"] == organization_id and organization["alias"] == number
    assert organization["attributes"]["company_name"] == ["Pharmacie du Contrat"]
    assert organization["attributes"]["region"] == ["west"]
    email = new_address()
    user_id = directory.ensure_user(email, "Lou", "Brun", "fr", {"customer_number": number})
    directory.add_member(organization_id, user_id)
    directory.add_member(organization_id, user_id)
    assert [member["email"] for member in directory.customer_members(number)] == [email]


def test_revoking_removes_role_membership_and_every_session(directory, sign_in):
    number = new_customer_number()
    organization_id = directory.ensure_organization(number, "Pharmacie Révoquée", "west")
    email = new_address()
    user_id = directory.ensure_user(email, "Lou", "Brun", "fr", {"customer_number": number})
    directory.add_member(organization_id, user_id)
    directory.grant_realm_role(user_id, PARTNER_ROLE)
    sign_in(user_id, email)
    assert len(directory.user_sessions(user_id)) == 1
    directory.revoke_access(user_id, number, PARTNER_ROLE)
    assert PARTNER_ROLE not in directory.realm_roles(user_id)
    assert directory.customer_members(number) == []
    assert directory.user_sessions(user_id) == []
    assert has_access(directory, email) is False


def test_the_team_admin_role_is_given_listed_and_taken_idempotently_and_is_no_access_of_its_own(directory):
    email = new_address()
    user_id = directory.ensure_user(email, "Lou", "Brun", "fr", {})
    directory.take_realm_role(user_id, TEAM_ADMIN_ROLE)  # not held: nothing to take
    directory.grant_realm_role(user_id, TEAM_ADMIN_ROLE)
    assert user_id in [holder["id"] for holder in directory.role_members(TEAM_ADMIN_ROLE)]
    assert has_access(directory, email) is False  # a team admin also needs the partner role
    directory.take_realm_role(user_id, TEAM_ADMIN_ROLE)
    directory.take_realm_role(user_id, TEAM_ADMIN_ROLE)
    assert TEAM_ADMIN_ROLE not in directory.realm_roles(user_id)
    assert user_id not in [holder["id"] for holder in directory.role_members(TEAM_ADMIN_ROLE)]


def test_a_set_password_email_is_on_record_from_the_moment_it_was_sent(directory):
    user_id = directory.ensure_user(new_address(), "Lou", "Brun", "en", {})
    before_ms = int(time.time() * 1000) - 1000
    assert directory.set_password_email_sent_since(user_id, before_ms) is False
    directory.send_set_password_email(user_id, 7 * 86400, "b2b-portal", PORTAL)
    assert directory.set_password_email_sent_since(user_id, before_ms) is True
    assert directory.set_password_email_sent_since(user_id, int(time.time() * 1000) + 3_600_000) is False


def test_a_deleted_user_is_gone(directory):
    email = new_address()
    user_id = directory.ensure_user(email, "Lou", "Brun", "fr", {})
    directory.delete_user(user_id)
    assert directory.get_user(user_id) is None and directory.find_user_by_email(email) is None


@pytest.mark.parametrize("first_name, last_name, local_part", [
    ("Zoé <b>", "Durand", "ok"), ("Zoé", "Durand & Fils", "ok"), ("Jean (Paul)", "Martin", "ok"),
    ("Zoé", "Du\x01rand", "ok"), ("Zoé", "{Durand}", "ok"), ("Zoé", "Durand", "zoé"), ("Zoé", "Durand", "müller"),
])
def test_the_realms_user_profile_refuses_what_the_request_form_refuses(directory, first_name, last_name, local_part):
    email = f"{local_part}.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    with pytest.raises(KeycloakRefused) as refused:
        directory.ensure_user(email, first_name, last_name, "fr", {})
    assert refused.value.status == 400
    assert directory.find_user_by_email(email) is None


@pytest.mark.parametrize("first_name, last_name, local_part", [
    ("Zoé-Anne", "O'Neil", "zoe.anne"), ("Ægir", "Müller-Lüdenscheidt", "ae+b2b"), ("Łukasz", "Nowak", "l_nowak"),
    ("Liam", "O'Brien", "o'brien"), ("Ann", "Bang", "a!b"), ("Ann", "Hash", "a#b"),
])
def test_names_and_addresses_the_form_accepts_are_accepted(directory, first_name, last_name, local_part):
    email = f"{local_part}.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    user_id = directory.ensure_user(email, first_name, last_name, "fr", {})
    assert directory.get_user(user_id)["lastName"] == last_name


def test_partners_are_listed_with_their_language_and_their_sign_ins_are_on_record(directory, sign_in):
    email = new_address()
    user_id = directory.ensure_user(email, "Lou", "Brun", "de", {})
    assert user_id not in [member["id"] for member in directory.role_members(PARTNER_ROLE)]
    directory.grant_realm_role(user_id, PARTNER_ROLE)
    [member] = [member for member in directory.role_members(PARTNER_ROLE) if member["id"] == user_id]
    assert member["email"] == email and member["attributes"]["locale"] == ["de"]
    before_ms = int(time.time() * 1000) - 1000
    assert user_id not in [signed_in for signed_in, _ in directory.sign_ins_since(before_ms)]
    sign_in(user_id, email)
    [at_ms] = [at_ms for signed_in, at_ms in directory.sign_ins_since(before_ms) if signed_in == user_id]
    assert at_ms >= before_ms
    assert user_id not in [signed_in for signed_in, _ in directory.sign_ins_since(at_ms + 1)]
