"""The imported realm on a real Keycloak: discovery, least-privilege service account, one-page login, no lockout,
and no place but the sign-in form that accepts a password (docs/security.md §1)."""

from __future__ import annotations

import requests

from devstack.seed import PARTNER
from tests.support.oidc import authorization_code, browser_session, forms, open_login_page, submit_login

REALM_PATH = "/realms/woundwo"
TOKEN_PATH = f"{REALM_PATH}/protocol/openid-connect/token"
# Keycloak creates these in every realm, whether or not realm-export.json lists them.
BUILT_IN_CLIENTS = {"account", "account-console", "admin-cli", "broker", "realm-management", "security-admin-console"}
# Client attributes that turn on a grant partners do not need (none of them takes a password, but each is a door).
OTHER_GRANTS = {"oauth2.device.authorization.grant.enabled": "device grant", "oidc.ciba.grant.enabled": "CIBA",
                "standard.token.exchange.enabled": "token exchange"}


def admin_token(keycloak) -> str:
    response = requests.post(f"{keycloak.url}/realms/master/protocol/openid-connect/token", timeout=10,
                             data={"grant_type": "password", "client_id": "admin-cli",
                                   "username": "admin", "password": "admin"})
    response.raise_for_status()
    return response.json()["access_token"]


def realm_settings(keycloak) -> dict:
    response = requests.get(f"{keycloak.url}/admin/realms/woundwo", timeout=10,
                            headers={"Authorization": f"Bearer {admin_token(keycloak)}"})
    response.raise_for_status()
    return response.json()


def realm_clients(keycloak, token: str) -> list[dict]:
    """Every client of realm woundwo as the admin API shows it, Keycloak's built-in ones included."""
    response = requests.get(f"{keycloak.url}/admin/realms/woundwo/clients", timeout=10,
                            headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    return response.json()


def client_secret(keycloak, token: str, client: dict) -> str | None:
    """The secret a confidential client authenticates with (None for public clients and clients without one)."""
    if client["publicClient"]:
        return None
    response = requests.get(f"{keycloak.url}/admin/realms/woundwo/clients/{client['id']}/client-secret", timeout=10,
                            headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    return response.json().get("value")


def outcome(response: requests.Response) -> tuple[int, str | None]:
    """The status and the OAuth `error` of an answer (None when it has no JSON body)."""
    is_json = response.headers.get("Content-Type", "").startswith("application/json") and response.content
    return response.status_code, response.json().get("error") if is_json else None


def service_account_token(keycloak, test_env) -> str:
    response = requests.post(f"{keycloak.url}{REALM_PATH}/protocol/openid-connect/token", timeout=10, data={
        "grant_type": "client_credentials", "client_id": "b2b-bridge",
        "client_secret": test_env["BRIDGE_KEYCLOAK_CLIENT_SECRET"]})
    response.raise_for_status()
    return response.json()["access_token"]


def test_oidc_discovery_names_the_localhost_issuer(keycloak):
    response = requests.get(f"{keycloak.url}{REALM_PATH}/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 200
    assert response.json()["issuer"] == f"{keycloak.url}{REALM_PATH}"
    assert "S256" in response.json()["code_challenge_methods_supported"]


def test_service_account_can_search_users(keycloak, test_env, demo):
    token = service_account_token(keycloak, test_env)
    response = requests.get(f"{keycloak.url}/admin/realms/woundwo/users", params={"email": PARTNER.email, "exact": "true"},
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200
    assert [user["email"] for user in response.json()] == [PARTNER.email]


def test_service_account_is_refused_what_it_was_not_granted(keycloak, test_env):
    headers = {"Authorization": f"Bearer {service_account_token(keycloak, test_env)}"}
    new_client = requests.post(f"{keycloak.url}/admin/realms/woundwo/clients", json={"clientId": "intruder"},
                               headers=headers, timeout=10)
    realm_change = requests.put(f"{keycloak.url}/admin/realms/woundwo", json={"bruteForceProtected": True},
                                headers=headers, timeout=10)
    other_realm = requests.get(f"{keycloak.url}/admin/realms/master/users", headers=headers, timeout=10)
    assert (new_client.status_code, realm_change.status_code, other_realm.status_code) == (403, 403, 403)


def test_login_is_one_page_with_email_and_password(keycloak, test_env):
    page = open_login_page(browser_session(), keycloak.url, "b2b-portal", test_env["PORTAL_URL"] + "/callback")
    login_form = forms(page.text)["kc-form-login"]
    assert {"username", "password"} <= set(login_form["inputs"])


def test_demo_partner_signs_in_through_the_form(keycloak, test_env, demo):
    session = browser_session()
    redirect_uri = test_env["PORTAL_URL"] + "/callback"
    page = open_login_page(session, keycloak.url, "b2b-portal", redirect_uri)
    assert authorization_code(submit_login(session, page, PARTNER.email, PARTNER.password), redirect_uri)


def test_wrong_password_is_refused(keycloak, test_env, demo):
    session = browser_session()
    redirect_uri = test_env["PORTAL_URL"] + "/callback"
    page = open_login_page(session, keycloak.url, "b2b-portal", redirect_uri)
    response = submit_login(session, page, PARTNER.email, "not-the-password-123")
    assert response.status_code == 200 and authorization_code(response, redirect_uri) is None
    assert "kc-form-login" in forms(response.text)


def test_forty_wrong_passwords_then_the_right_one_still_signs_in(keycloak, test_env, demo, destructive):
    session = browser_session()
    redirect_uri = test_env["PORTAL_URL"] + "/callback"
    page = open_login_page(session, keycloak.url, "b2b-portal", redirect_uri)
    for attempt in range(40):
        page = submit_login(session, page, PARTNER.email, f"wrong-password-{attempt:02d}")
        assert page.status_code == 200, f"attempt {attempt} answered {page.status_code}"
    assert authorization_code(submit_login(session, page, PARTNER.email, PARTNER.password), redirect_uri)


def test_realm_promises_no_lockout_and_a_password_policy(keycloak):
    realm = realm_settings(keycloak)
    assert realm["bruteForceProtected"] is False
    assert "length(12)" in realm["passwordPolicy"]
    assert "notUsername" in realm["passwordPolicy"] and "notEmail" in realm["passwordPolicy"]


def test_realm_settings_match_the_product(keycloak):
    realm = realm_settings(keycloak)
    assert (realm["loginTheme"], realm["emailTheme"]) == ("woundwo", "woundwo")
    assert realm["internationalizationEnabled"] and set(realm["supportedLocales"]) == {"fr", "de", "en"}
    assert realm["registrationEmailAsUsername"] and realm["loginWithEmailAllowed"]
    assert not realm["duplicateEmailsAllowed"] and not realm["registrationAllowed"] and realm["resetPasswordAllowed"]
    assert realm["organizationsEnabled"]
    assert realm["actionTokenGeneratedByAdminLifespan"] >= 7 * 24 * 3600
    assert 30 * 60 <= realm["actionTokenGeneratedByUserLifespan"] <= 60 * 60
    assert realm["eventsEnabled"] and {"LOGIN", "LOGIN_ERROR"} <= set(realm["enabledEventTypes"])
    assert realm["adminEventsEnabled"] and realm["eventsExpiration"] == 90 * 24 * 3600
    assert realm["attributes"]["adminEventsExpiration"] == str(90 * 24 * 3600)
    assert realm["smtpServer"]["from"] == "noreply@woundwo.com"
    assert realm["smtpServer"]["fromDisplayName"] == "WOUNDWO B2B"
    assert realm["browserFlow"] == "woundwo browser"


def test_failed_logins_are_recorded_as_events(keycloak, test_env, demo):
    session = browser_session()
    page = open_login_page(session, keycloak.url, "b2b-portal", test_env["PORTAL_URL"] + "/callback")
    submit_login(session, page, PARTNER.email, "another-wrong-password")
    events = requests.get(f"{keycloak.url}/admin/realms/woundwo/events", params={"type": "LOGIN_ERROR"},
                          headers={"Authorization": f"Bearer {admin_token(keycloak)}"}, timeout=10).json()
    assert any(event.get("details", {}).get("username") == PARTNER.email for event in events)


def test_no_client_of_the_realm_allows_the_password_grant_or_a_grant_partners_do_not_need(keycloak):
    clients = realm_clients(keycloak, admin_token(keycloak))
    assert BUILT_IN_CLIENTS <= {client["clientId"] for client in clients}
    open_doors = {}
    for client in clients:
        doors = [name for attribute, name in OTHER_GRANTS.items() if client["attributes"].get(attribute) == "true"]
        if client["directAccessGrantsEnabled"]:
            doors.append("password grant")
        if doors:
            open_doors[client["clientId"]] = doors
    assert open_doors == {}


def test_the_right_password_gets_no_token_from_any_client(keycloak, demo):
    token = admin_token(keycloak)
    answers, expected = {}, {}
    for client in realm_clients(keycloak, token):
        grant = {"grant_type": "password", "client_id": client["clientId"],
                 "username": PARTNER.email, "password": PARTNER.password}
        if secret := client_secret(keycloak, token, client):
            grant["client_secret"] = secret  # the client authenticates, so the refusal is the grant's
        response = requests.post(f"{keycloak.url}{TOKEN_PATH}", data=grant, timeout=10)
        answers[client["clientId"]] = outcome(response)
        # Bearer-only clients (broker, realm-management) cannot authenticate at the token endpoint at all.
        expected[client["clientId"]] = (401 if client["bearerOnly"] else 400, "unauthorized_client")
    assert answers == expected


def test_an_admin_cannot_open_the_password_grant_on_a_new_or_built_in_client(keycloak):
    headers = {"Authorization": f"Bearer {admin_token(keycloak)}"}
    clients_url = f"{keycloak.url}/admin/realms/woundwo/clients"
    # A new client has no direct access grants unless someone ticks the box (console) or sets the field (API).
    created = requests.post(clients_url, headers=headers, timeout=10, json={
        "clientId": "test-only-password-grant", "publicClient": True, "directAccessGrantsEnabled": True})
    admin_cli = next(client for client in requests.get(clients_url, headers=headers, params={"clientId": "admin-cli"},
                                                       timeout=10).json())
    reopened = requests.put(f"{clients_url}/{admin_cli['id']}", headers=headers, timeout=10,
                            json={**admin_cli, "directAccessGrantsEnabled": True})
    try:
        assert outcome(created) == (400, "invalid_client_metadata")
        assert outcome(reopened) == (400, "invalid_client_metadata")
    finally:  # before the realm refused them, these changed the shared Keycloak: undo them
        if created.status_code == 201:
            requests.delete(created.headers["Location"], headers=headers, timeout=10).raise_for_status()
        if reopened.status_code == 204:
            requests.put(f"{clients_url}/{admin_cli['id']}", headers=headers, json=admin_cli,
                         timeout=10).raise_for_status()


def test_a_client_imported_with_the_password_grant_is_refused_before_the_password_is_checked(keycloak, demo):
    # A partial import (or an edited realm file) passes no client policy check: the grant itself must be refused.
    headers = {"Authorization": f"Bearer {admin_token(keycloak)}"}
    imported = requests.post(f"{keycloak.url}/admin/realms/woundwo/partialImport", headers=headers, timeout=10, json={
        "ifResourceExists": "FAIL",
        "clients": [{"clientId": "test-only-password-grant", "publicClient": True, "directAccessGrantsEnabled": True}]})
    imported.raise_for_status()
    try:
        answers = [outcome(requests.post(f"{keycloak.url}{TOKEN_PATH}", timeout=10, data={
            "grant_type": "password", "client_id": "test-only-password-grant",
            "username": PARTNER.email, "password": password})) for password in (PARTNER.password, "not-the-password")]
        assert answers == [(400, "invalid_grant")] * 2  # the same answer: the password is never looked at
    finally:
        client_id = imported.json()["results"][0]["id"]
        requests.delete(f"{keycloak.url}/admin/realms/woundwo/clients/{client_id}", headers=headers,
                        timeout=10).raise_for_status()
