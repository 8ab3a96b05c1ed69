"""Keycloak serves our theme: strings only our message bundles contain, in French, German and English, also on
Keycloak's own pages that we inherit."""

from __future__ import annotations

import html
import re
import uuid
from urllib.parse import urljoin

import pytest
import requests

from tests.support.oidc import browser_session, forms, links, open_login_page, submit_login

OUR_STRINGS = {
    "fr": ["Connexion à l'espace B2B", "Vous êtes un particulier ou un client final", "Demander un compte B2B"],
    "de": ["Anmeldung im B2B-Portal", "Sie sind Privatperson oder Endkunde", "B2B-Zugang beantragen"],
    "en": ["Sign in to the B2B portal", "Private person or end customer", "Request a B2B account"],
}


def page_text(keycloak, test_env, locale):
    page = open_login_page(browser_session(), keycloak.url, "b2b-portal", test_env["PORTAL_URL"] + "/callback", locale)
    return page, html.unescape(page.text).replace("\u00a0", " ")


@pytest.mark.parametrize("locale", ["fr", "de", "en"])
def test_login_page_speaks_our_words_in_each_language(keycloak, test_env, locale):
    page, text = page_text(keycloak, test_env, locale)
    assert f'lang="{locale}"' in page.text
    for expected in OUR_STRINGS[locale]:
        assert expected in text, f"{expected!r} missing from the {locale} login page"


def test_login_page_links_to_the_bridge_in_the_page_language(keycloak, test_env):
    page, _ = page_text(keycloak, test_env, "de")
    bridge = test_env["BRIDGE_PUBLIC_URL"]
    assert f"{bridge}/request-access?lang=de" in links(page.text)
    assert f"{bridge}/help?lang=de" in links(page.text)
    assert test_env["WOUNDWO_DEALER_SEARCH_URL_DE"] in links(page.text)


def test_login_page_carries_no_inline_script(keycloak, test_env):
    page, _ = page_text(keycloak, test_env, "en")
    assert "<script>" not in page.text.replace(" ", "")


# Keycloak's own wording for "sign out from other devices" and ours, which overrides its key `logoutOtherSessions`.
SIGN_OUT_ELSEWHERE = {
    "fr": ("Se déconnecter des autres appareils", "Me déconnecter sur mes autres appareils"),
    "de": ("Von anderen Geräten abmelden", "Auf meinen anderen Geräten abmelden"),
    "en": ("Sign out from other devices", "Sign me out on my other devices"),
}


def require_action(keycloak, test_env, user_id: str, action: str) -> None:
    """Give a user a required action through the admin REST API, as the b2b-bridge service account."""
    token = requests.post(f"{keycloak.url}/realms/woundwo/protocol/openid-connect/token", timeout=10, data={
        "grant_type": "client_credentials", "client_id": "b2b-bridge",
        "client_secret": test_env["BRIDGE_KEYCLOAK_CLIENT_SECRET"]})
    token.raise_for_status()
    requests.put(f"{keycloak.url}/admin/realms/woundwo/users/{user_id}", json={"requiredActions": [action]},
                 headers={"Authorization": f"Bearer {token.json()['access_token']}"}, timeout=10).raise_for_status()


@pytest.mark.parametrize("locale", ["fr", "de", "en"])
def test_a_page_we_inherit_from_keycloak_speaks_our_words_for_the_keys_we_override(keycloak, gateway, test_env, locale):
    # "Set up an authenticator app" is Keycloak's own page (we do not override login-config-totp.ftl); its
    # "sign out from other devices" box takes Keycloak's key `logoutOtherSessions`, which our bundles reword.
    address = f"totp.{uuid.uuid4().hex[:10]}@pharmacie-du-lac.example"
    user_id = gateway.ensure_user(address, "Louise", "Garnier", locale, {}, email_verified=True)
    gateway.grant_realm_role(user_id, "b2b-partner")
    gateway.set_password(user_id, "Totp-Password-2026!")
    require_action(keycloak, test_env, user_id, "CONFIGURE_TOTP")

    session = browser_session()
    login = open_login_page(session, keycloak.url, "b2b-portal", test_env["PORTAL_URL"] + "/callback", locale)
    signed_in = submit_login(session, login, address, "Totp-Password-2026!")
    assert signed_in.status_code == 302, signed_in.text[:500]
    page = session.get(urljoin(signed_in.url, signed_in.headers["Location"]), timeout=10)
    page.raise_for_status()

    assert "kc-totp-settings-form" in forms(page.text), "Keycloak's own page for setting up an authenticator app"
    keycloak_words, ours = SIGN_OUT_ELSEWHERE[locale]
    box = re.search(r'id="logout-sessions"[^>]*>\s*([^<]*?)\s*</label>', html.unescape(page.text))
    assert box and box.group(1) == ours, f"expected our {ours!r}, not Keycloak's {keycloak_words!r}: {box and box.group(1)}"
    assert f'lang="{locale}"' in page.text and 'class="ww-footer"' in page.text, "in our frame, in the person's language"
