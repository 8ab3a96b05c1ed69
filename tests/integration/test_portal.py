"""The example portal against the real Keycloak: sign-in, the claims it shows, logout, ended sessions.

The `portal` fixture (tests/conftest.py) runs the portal as a real subprocess on the test port, the
way `make run` starts it on 8001. Tests that look into the portal's session (to end that Keycloak
session) run the same app in-process.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from urllib.parse import urlencode, urlparse

import pytest
import requests
from joserfc.errors import JoseError

from devstack.seed import MANAGER_WEST, PARTNER
from devstack.settings import TEST_PORTS
from examples.portal import create_app
from examples.portal.tokens import TokenRejected, id_token_claims_options, validate_access_token
from tests.support.oidc import authorization_code, browser_session, forms, submit_login

PORTAL_URL = f"http://localhost:{TEST_PORTS.portal}"
CLIENT_ID = "b2b-portal"


def in_process_portal(keycloak, test_env, **overrides):
    """The same app in this process (its session is inspectable); its URLs are the test portal's."""
    return create_app({"SECRET_KEY": test_env["PORTAL_SECRET_KEY"], "URL": PORTAL_URL, "KEYCLOAK_URL": keycloak.url,
                       "CLIENT_SECRET": test_env["PORTAL_CLIENT_SECRET"], **overrides})


def field(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', page)
    return match.group(1) if match else ""


def sign_in_through_portal(portal_url: str, email: str, password: str) -> tuple[requests.Session, requests.Response]:
    """Sign-in as a browser without JavaScript does it: portal → Keycloak's form → back on the portal."""
    session = browser_session()
    login_page = session.get(f"{portal_url}/login", timeout=10)
    assert "kc-form-login" in forms(login_page.text), "the portal did not send us to Keycloak's sign-in page"
    answer = submit_login(session, login_page, email, password)
    assert answer.status_code == 302 and answer.headers["Location"].startswith(f"{portal_url}/callback?")
    return session, session.get(answer.headers["Location"], timeout=10)


def sign_out(session: requests.Session, portal_url: str, page: requests.Response) -> requests.Response:
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return session.post(f"{portal_url}/logout", data={"csrf_token": csrf}, timeout=10)


def admin_token(keycloak, test_env) -> str:
    response = requests.post(f"{keycloak.url}/realms/master/protocol/openid-connect/token", timeout=10, data={
        "grant_type": "password", "client_id": "admin-cli",
        "username": test_env["KC_BOOTSTRAP_ADMIN_USERNAME"], "password": test_env["KC_BOOTSTRAP_ADMIN_PASSWORD"]})
    response.raise_for_status()
    return response.json()["access_token"]


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def real_tokens(keycloak, test_env, email: str, password: str) -> tuple[dict, str]:
    """Keycloak's token response for b2b-portal after a code flow with PKCE, and the nonce sent."""
    redirect_uri = f"{PORTAL_URL}/callback"
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {"client_id": CLIENT_ID, "response_type": "code", "scope": "openid", "redirect_uri": redirect_uri,
             "state": "s", "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256"}
    session = browser_session()
    page = session.get(f"{keycloak.url}/realms/woundwo/protocol/openid-connect/auth?{urlencode(query)}", timeout=10)
    code = authorization_code(submit_login(session, page, email, password), redirect_uri)
    response = requests.post(f"{keycloak.url}/realms/woundwo/protocol/openid-connect/token", timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier,
        "client_id": CLIENT_ID, "client_secret": test_env["PORTAL_CLIENT_SECRET"]})
    response.raise_for_status()
    return response.json(), nonce


def tampered(token: str, **changes) -> str:
    """The token with its payload edited and the original signature kept."""
    header, _, signature = token.split(".")
    payload = base64.urlsafe_b64encode(json.dumps({**claims_of(token), **changes}).encode()).rstrip(b"=").decode()
    return ".".join([header, payload, signature])


# --- the running portal ---------------------------------------------------------------------------

def test_demo_partner_signs_in_and_sees_name_email_company_customer_number_and_role(portal):
    _, page = sign_in_through_portal(portal, PARTNER.email, PARTNER.password)
    assert page.status_code == 200 and page.url == f"{portal}/"
    assert field(page.text, "person-name") == "Camille Martin"
    assert field(page.text, "person-email") == PARTNER.email
    assert field(page.text, "person-company") == "Pharmacie Centrale"
    assert field(page.text, "person-customer-number") == "100001"
    assert field(page.text, "person-roles") == "b2b-partner"
    assert 'id="no-partner-access"' not in page.text


def test_a_manager_signs_in_but_the_portal_says_there_is_no_partner_access(portal):
    _, page = sign_in_through_portal(portal, MANAGER_WEST.email, MANAGER_WEST.password)
    assert field(page.text, "person-name") == "Julie Bernard"
    assert field(page.text, "person-roles") == "regional-manager"
    assert field(page.text, "person-customer-number") == "—" and field(page.text, "person-company") == "—"
    assert 'id="no-partner-access"' in page.text


def test_the_portal_session_cookie_is_its_own_httponly_and_samesite_lax(portal):
    session, _ = sign_in_through_portal(portal, PARTNER.email, PARTNER.password)
    cookie = next(c for c in session.cookies if c.name == "woundwo_portal_session")
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.get_nonstandard_attr("SameSite") == "Lax"
    assert "woundwo_bridge_session" not in {c.name for c in session.cookies}
    # The example keeps the tokens in this cookie (docs/portal-integration.md); browsers drop cookies over 4 KB,
    # which would sign the person out silently. About 2.4 KB with the demo partner's tokens today.
    assert len(cookie.name) + len(cookie.value) < 4000


def test_logout_ends_the_keycloak_session_and_returns_to_the_portal_where_sign_in_is_needed_again(portal):
    session, _ = sign_in_through_portal(portal, PARTNER.email, PARTNER.password)
    # Before logout, a second sign-in is silent (Keycloak's SSO session) — the contrast the last step needs.
    page = session.get(f"{portal}/login", timeout=10)
    assert page.url == f"{portal}/" and field(page.text, "person-customer-number") == "100001"
    back = sign_out(session, portal, page)
    assert back.url == f"{portal}/" and "You have signed out." in back.text and 'id="sign-in"' in back.text
    assert [urlparse(step.url).path for step in back.history] == [
        "/logout", "/realms/woundwo/protocol/openid-connect/logout", "/signed-out"]
    again = session.get(f"{portal}/login", timeout=10)
    assert "kc-form-login" in forms(again.text), "Keycloak signed us in silently: its session survived logout"


def test_a_failed_sign_in_at_keycloak_comes_back_as_a_clear_page_not_an_error(portal):
    session = browser_session()
    login_page = session.get(f"{portal}/login", timeout=10)
    state = dict(pair.split("=", 1) for pair in urlparse(login_page.url).query.split("&"))["state"]
    answer = session.get(f"{portal}/callback?error=access_denied&state={state}", timeout=10)
    assert answer.status_code == 400 and "Sign-in did not work" in answer.text


# --- sessions ended in Keycloak -------------------------------------------------------------------

def sign_in_in_process(client, email: str, password: str) -> None:
    keycloak_session = browser_session()
    login_page = keycloak_session.get(client.get("/login").headers["Location"], timeout=10)
    answer = submit_login(keycloak_session, login_page, email, password)
    callback = urlparse(answer.headers["Location"])
    assert client.get(f"{callback.path}?{callback.query}").status_code == 302


def test_a_session_ended_in_keycloak_signs_the_person_out_of_the_portal_at_the_next_check(keycloak, test_env, demo):
    client = in_process_portal(keycloak, test_env, REFRESH_AFTER=0).test_client()
    sign_in_in_process(client, PARTNER.email, PARTNER.password)
    # REFRESH_AFTER=0: this page view already refreshed the tokens with Keycloak, successfully.
    assert field(client.get("/").get_data(as_text=True), "person-customer-number") == "100001"
    with client.session_transaction() as session:
        keycloak_session_id = claims_of(session["id_token"])["sid"]
    # What an admin's "sign out" or a revoked access does: this one Keycloak session ends.
    ended = requests.delete(f"{keycloak.url}/admin/realms/woundwo/sessions/{keycloak_session_id}", timeout=10,
                            headers={"Authorization": f"Bearer {admin_token(keycloak, test_env)}"})
    assert ended.status_code == 204
    page = client.get("/").get_data(as_text=True)
    assert "Your sign-in has ended" in page and 'id="sign-in"' in page and "100001" not in page


# --- the tokens Keycloak really issues, and the portal's checks on them ----------------------------

def test_keycloak_tokens_carry_customer_number_organization_and_roles_as_the_guide_says(keycloak, test_env, demo):
    token, nonce = real_tokens(keycloak, test_env, PARTNER.email, PARTNER.password)
    id_claims, access_claims = claims_of(token["id_token"]), claims_of(token["access_token"])
    organization = {"100001": {"company_name": ["Pharmacie Centrale"], "customer_number": ["100001"],
                               "region": ["west"]}}
    for claims in (id_claims, access_claims):
        assert claims["iss"] == f"{keycloak.url}/realms/woundwo"
        assert claims["customer_number"] == "100001" and claims["organization"] == organization
        assert "b2b-partner" in claims["realm_access"]["roles"]
        assert claims["email"] == PARTNER.email and claims["name"] == "Camille Martin"
    assert id_claims["aud"] == CLIENT_ID and id_claims["nonce"] == nonce and id_claims["azp"] == CLIENT_ID
    assert CLIENT_ID in access_claims["aud"] and access_claims["azp"] == CLIENT_ID
    userinfo = requests.get(f"{keycloak.url}/realms/woundwo/protocol/openid-connect/userinfo", timeout=10,
                            headers={"Authorization": f"Bearer {token['access_token']}"}).json()
    assert userinfo["customer_number"] == "100001" and userinfo["organization"] == organization
    assert "b2b-partner" in userinfo["realm_access"]["roles"]


def test_a_manager_token_has_roles_but_no_customer_number_and_no_organization(keycloak, test_env, demo):
    token, _ = real_tokens(keycloak, test_env, MANAGER_WEST.email, MANAGER_WEST.password)
    for claims in (claims_of(token["id_token"]), claims_of(token["access_token"])):
        assert "regional-manager" in claims["realm_access"]["roles"]
        assert "b2b-partner" not in claims["realm_access"]["roles"]
        assert "customer_number" not in claims and "organization" not in claims


def test_real_access_tokens_pass_the_portals_check_and_wrong_audience_issuer_or_signature_do_not(keycloak, test_env, demo):
    token, _ = real_tokens(keycloak, test_env, PARTNER.email, PARTNER.password)
    jwks = requests.get(f"{keycloak.url}/realms/woundwo/protocol/openid-connect/certs", timeout=10).json()
    issuer = f"{keycloak.url}/realms/woundwo"
    access = token["access_token"]
    assert validate_access_token(access, jwks, issuer, CLIENT_ID)["customer_number"] == "100001"
    with pytest.raises(TokenRejected):  # a token for b2b-portal is not a token for another app
        validate_access_token(access, jwks, issuer, "b2b-manager")
    with pytest.raises(TokenRejected):  # the issuer must match exactly: 127.0.0.1 is not localhost
        validate_access_token(access, jwks, f"http://127.0.0.1:{TEST_PORTS.keycloak}/realms/woundwo", CLIENT_ID)
    with pytest.raises(TokenRejected):  # edited after Keycloak signed it
        validate_access_token(tampered(access, customer_number="100002"), jwks, issuer, CLIENT_ID)


def test_real_id_tokens_pass_authlibs_check_with_the_portals_options_and_tampered_ones_do_not(keycloak, test_env, demo):
    app = in_process_portal(keycloak, test_env)
    client = app.extensions["portal.keycloak"].client
    token, nonce = real_tokens(keycloak, test_env, PARTNER.email, PARTNER.password)
    options = lambda: id_token_claims_options(f"{keycloak.url}/realms/woundwo", CLIENT_ID)  # noqa: E731
    with app.test_request_context():
        assert client.parse_id_token(token, nonce, claims_options=options())["customer_number"] == "100001"
        with pytest.raises(JoseError):
            client.parse_id_token({**token, "id_token": tampered(token["id_token"], customer_number="100002")},
                                  nonce, claims_options=options())
        with pytest.raises(JoseError):
            client.parse_id_token(token, "another-nonce", claims_options=options())
        with pytest.raises(JoseError):
            client.parse_id_token(token, nonce, claims_options=id_token_claims_options(
                f"{keycloak.url}/realms/woundwo", "b2b-manager"))
