"""Keycloak serves our theme: strings only our message bundles contain, in French, German and English."""

from __future__ import annotations

import html

import pytest

from tests.support.oidc import browser_session, links, open_login_page

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
