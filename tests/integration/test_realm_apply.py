"""`flask --app bridge realm plan|apply` against a real Keycloak, on a copy of the realm of its own.

The copy (realm `woundwo-apply`, created from realm-export.json with one partner and their password)
is changed the way an operator changes the file: a redirect URI, a new role, a stricter password
policy, a flow step's requirement, the login theme. `plan` shows each; `apply` makes them live; the
partner still signs in through the form; a second `apply` changes nothing (no admin event at all).
The session's realm `woundwo` is never touched.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from bridge.realm.source import load
from devstack.keycloak import REALM_FILE, KeycloakInstance
from devstack.seed import PARTNER
from devstack.settings import REPO_ROOT, TEST_PORTS
from tests.integration.test_realm import admin_token
from tests.support.oidc import authorization_code, browser_session, open_login_page, submit_login

COPY = "woundwo-apply"
SMTP_PASSWORD = "smtp-password-never-printed"
STRICTER_POLICY = "length(14) and maxLength(128) and notUsername(undefined) and notEmail(undefined)"


def realm_text(**changes) -> str:
    """realm-export.json as realm COPY, with `changes` made by `edit`."""
    realm = json.loads(REALM_FILE.read_text())
    realm["realm"] = COPY
    for change in changes.values():
        change(realm)
    return json.dumps(realm, indent=2)


def new_redirect_uri(realm):
    portal = next(client for client in realm["clients"] if client["clientId"] == "b2b-portal")
    portal["redirectUris"] = ["${PORTAL_URL}/signed-in/*"]


def auditor_role(realm):
    realm["roles"]["realm"].append({"name": "auditor", "description": "Reads the audit trail"})


def stricter_policy(realm):
    realm["passwordPolicy"] = STRICTER_POLICY


def identity_provider_step_off(realm):
    sign_in = next(flow for flow in realm["authenticationFlows"] if flow["alias"] == "woundwo sign-in")
    sign_in["authenticationExecutions"][1]["requirement"] = "DISABLED"


def keycloak_login_theme(realm):
    realm["loginTheme"] = "keycloak"


CHANGES = {"redirect": new_redirect_uri, "role": auditor_role, "policy": stricter_policy,
           "flow": identity_provider_step_off, "theme": keycloak_login_theme}


@pytest.fixture(scope="module")
def env(test_env):
    return {**test_env, "SMTP_PASSWORD": SMTP_PASSWORD}


@pytest.fixture(scope="module")
def admin(keycloak):
    """Calls to the copy's admin API as Keycloak's bootstrap admin (to set up and to look, never to apply)."""
    def call(method, path="", **kwargs):
        response = requests.request(method, f"{keycloak.url}/admin/realms{path}", timeout=30,
                                    headers={"Authorization": f"Bearer {admin_token(keycloak)}"}, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None
    return call


@pytest.fixture(scope="module")
def copy(keycloak, admin, env, tmp_path_factory):
    """The realm copy, imported from the unchanged file with the demo partner and their password."""
    path = tmp_path_factory.mktemp("realm") / "realm.json"
    path.write_text(realm_text())
    realm = load(path, env)
    realm["users"].append({
        "username": PARTNER.email, "email": PARTNER.email, "emailVerified": True, "enabled": True,
        "firstName": PARTNER.first_name, "lastName": PARTNER.last_name, "realmRoles": ["b2b-partner"],
        "credentials": [{"type": "password", "value": PARTNER.password, "temporary": False}]})
    admin("POST", json=realm)
    try:
        yield path
    finally:
        admin("DELETE", f"/{COPY}")


def realm_command(env, *args) -> subprocess.CompletedProcess:
    """`flask --app bridge realm ...` as an operator runs it."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "bridge", "realm", *args], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


def admin_events(admin) -> list[dict]:
    return admin("GET", f"/{COPY}/admin-events", params={"max": 1000})


def sign_in(keycloak, redirect_uri: str) -> tuple[str, bool]:
    """The login page's HTML, and whether the partner's e-mail and password got a code through it."""
    session = browser_session()
    page = open_login_page(session, keycloak.url, "b2b-portal", redirect_uri, realm=COPY)
    code = authorization_code(submit_login(session, page, PARTNER.email, PARTNER.password), redirect_uri)
    return page.text, code is not None


def test_the_imported_copy_matches_its_file(copy, env):
    """Nothing Keycloak adds on import (defaults, ids, built-in clients and roles) counts as a difference."""
    result = realm_command(env, "plan", "--file", str(copy))
    assert (result.returncode, result.stdout.strip()) == (0, "no differences: the live realm matches the file")


def test_plan_shows_each_change_then_apply_makes_it_live_and_a_second_apply_changes_nothing(keycloak, copy, env, admin):
    portal_secret = env["PORTAL_CLIENT_SECRET"]
    login_page, signed_in = sign_in(keycloak, f"{env['PORTAL_URL']}/callback")
    assert signed_in and "/login/woundwo/" in login_page
    copy.write_text(realm_text(**CHANGES))
    events_before = len(admin_events(admin))

    plan = realm_command(env, "plan", "--file", str(copy))
    assert plan.returncode == 0, plan.stderr
    assert f"redirectUris: ['{env['PORTAL_URL']}/*'] → ['{env['PORTAL_URL']}/signed-in/*']" in plan.stdout
    assert "+ realm role auditor (to create)" in plan.stdout
    assert f"→ '{STRICTER_POLICY}'" in plan.stdout
    assert "executions[1].requirement: 'ALTERNATIVE' → 'DISABLED'" in plan.stdout
    assert "loginTheme: 'woundwo' → 'keycloak'" in plan.stdout
    assert len(admin_events(admin)) == events_before, "plan changed something"

    applied = realm_command(env, "apply", "--file", str(copy))
    assert applied.returncode == 0, applied.stderr
    realm = admin("GET", f"/{COPY}")
    assert (realm["passwordPolicy"], realm["loginTheme"]) == (STRICTER_POLICY, "keycloak")
    assert admin("GET", f"/{COPY}/roles/auditor")["description"] == "Reads the audit trail"
    steps = admin("GET", f"/{COPY}/authentication/flows/woundwo%20sign-in/executions")
    assert [step["requirement"] for step in steps if step["level"] == 0] == ["ALTERNATIVE", "DISABLED", "ALTERNATIVE"]
    portal = admin("GET", f"/{COPY}/clients", params={"clientId": "b2b-portal"})[0]
    assert portal["redirectUris"] == [f"{env['PORTAL_URL']}/signed-in/*"]
    assert admin("GET", f"/{COPY}/clients/{portal['id']}/client-secret")["value"] == portal_secret

    # The partner and their password still work, through the login form of the new theme, to the new URI.
    login_page, signed_in = sign_in(keycloak, f"{env['PORTAL_URL']}/signed-in/callback")
    assert signed_in
    assert "/login/keycloak/" in login_page and "/login/woundwo/" not in login_page
    events_after_apply = len(admin_events(admin))

    again = realm_command(env, "apply", "--file", str(copy))
    assert (again.returncode, again.stdout.strip()) == (0, "no differences: the live realm matches the file")
    assert len(admin_events(admin)) == events_after_apply

    for output in (plan.stdout + plan.stderr, applied.stdout + applied.stderr):
        assert portal_secret not in output and SMTP_PASSWORD not in output
        assert env["BRIDGE_REALM_OPERATOR_CLIENT_SECRET"] not in output


@pytest.mark.parametrize("text, message", [
    ('{"realm": "woundwo-apply", "loginTheme": "woundwo",', "not valid JSON"),
    ('{"loginTheme": "woundwo"}', "no name"),
    ('{"realm": "woundwo-apply", "smtpServer": {"host": "${REALM_TEST_UNSET_HOST}"}}', "REALM_TEST_UNSET_HOST"),
], ids=["invalid-json", "no-realm-name", "placeholder-without-value"])
def test_a_malformed_realm_file_changes_nothing(copy, env, admin, tmp_path, text, message):
    events_before = len(admin_events(admin))
    bad = tmp_path / "realm.json"
    bad.write_text(text)
    result = realm_command(env, "apply", "--file", str(bad))
    assert result.returncode == 2 and message in result.stderr
    assert len(admin_events(admin)) == events_before


def test_the_operator_cannot_read_users_or_events(keycloak, copy, env):
    token = requests.post(f"{keycloak.url}/realms/{COPY}/protocol/openid-connect/token", timeout=10, data={
        "grant_type": "client_credentials", "client_id": "realm-operator",
        "client_secret": env["BRIDGE_REALM_OPERATOR_CLIENT_SECRET"]}).json()["access_token"]
    answers = {path: requests.get(f"{keycloak.url}/admin/realms/{COPY}/{path}", timeout=10,
                                  headers={"Authorization": f"Bearer {token}"}).status_code
               for path in ("users", "events", "admin-events", "clients")}
    assert answers == {"users": 403, "events": 403, "admin-events": 403, "clients": 200}


def test_make_run_applies_a_changed_file_to_the_running_realm(keycloak, copy, env, tmp_path):
    copy.write_text(realm_text(role=auditor_role, policy=stricter_policy))
    # The session's Keycloak, as `make run` finds it after a restart with a changed file.
    instance = KeycloakInstance(tmp_path, TEST_PORTS.keycloak, TEST_PORTS.keycloak_management, env,
                                realm_file=copy, realm_changed=True)
    (tmp_path / "data" / "import").mkdir(parents=True)
    instance.update_realm()
    assert not instance.realm_changed
    assert realm_command(env, "plan", "--file", str(copy)).stdout.strip() == \
        "no differences: the live realm matches the file"
