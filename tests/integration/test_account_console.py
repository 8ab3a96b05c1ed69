"""A partner who signs in at Keycloak's account console can manage their password and sessions there.

The realm's import used to leave Keycloak's built-in account-console client without any default client
scope, so its tokens carried no roles and the console's first call answered 403 ("Something went wrong"
after every partner's first sign-in).
"""

from __future__ import annotations

import base64
import json
import secrets

import requests

from devstack.seed import PARTNER
from tests.support.oidc import authorization_code, browser_session, open_login_page, submit_login


def account_console_token(keycloak_url: str) -> str:
    """Sign the demo partner in as the account console does (public client, PKCE) and return its access token."""
    redirect_uri = f"{keycloak_url}/realms/woundwo/account/"
    verifier = secrets.token_urlsafe(48)
    browser = browser_session()
    page = open_login_page(browser, keycloak_url, "account-console", redirect_uri, verifier=verifier)
    code = authorization_code(submit_login(browser, page, PARTNER.email, PARTNER.password), redirect_uri)
    assert code, "the partner could not sign in to the account console"
    tokens = requests.post(f"{keycloak_url}/realms/woundwo/protocol/openid-connect/token", timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        "client_id": "account-console", "code_verifier": verifier}).json()
    return tokens["access_token"]


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_partner_reaches_their_profile_password_and_sessions_in_the_account_console(keycloak, demo):
    token = account_console_token(keycloak.url)
    assert "manage-account" in claims(token)["resource_access"]["account"]["roles"]
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    account = f"{keycloak.url}/realms/woundwo/account"
    profile = requests.get(f"{account}/?userProfileMetadata=true", headers=headers, timeout=10)
    assert profile.status_code == 200 and profile.json()["email"] == PARTNER.email
    assert requests.get(f"{account}/credentials", headers=headers, timeout=10).status_code == 200
    assert requests.get(f"{account}/sessions/devices", headers=headers, timeout=10).status_code == 200
