"""The sign-in page in real Chromium, for what needs Playwright itself: requests counted or held by a page
route, a typed value restored by back navigation, a phone-sized window, the help page.

Everything else the FAQ promises about this page (docs/architecture.md) runs in Chromium and Firefox alike, in
test_in_chromium_and_firefox.py. The slow-answer test replaces the bridge's answer with a page route: it
tests the page's behaviour, not the bridge.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from devstack.seed import PARTNER
from tests.browser.pages import LoginPage, email_check_requests, lands_on

SUCCESS = "rgb(30, 123, 52)"      # #1E7B34
LINE = "rgb(203, 210, 217)"       # #CBD2D9, the frame at rest
NOBODY = "nobody@pharmacie-centrale.example"


@pytest.fixture
def open_login(new_page, keycloak, demo, bridge_server, redirect_uri):
    """open_login(locale="en", width=1280, login_hint=None) → LoginPage in a fresh browser context."""

    def open_page(locale: str = "en", width: int = 1280, login_hint: str | None = None) -> LoginPage:
        page = new_page(locale={"fr": "fr-FR", "de": "de-DE"}.get(locale, "en-US"), width=width)
        return LoginPage.open(page, keycloak.url, redirect_uri, locale, login_hint=login_hint)

    return open_page


# --- the states of the e-mail field ---------------------------------------------------------------

def test_incomplete_address_gets_a_neutral_hint_without_asking_the_bridge(open_login):
    login = open_login()
    asked = email_check_requests(login.page)
    login.enter_email("partner@pharmacie")
    login.expect_status("invalid")
    assert login.frame_colour() == LINE and login.state_icon() is None
    expect(login.message).to_contain_text("not a complete e-mail address")
    assert asked == []


# --- back navigation, a check that never answers --------------------------------------------------

def test_address_restored_by_back_navigation_is_checked_again(open_login):
    login = open_login()
    login.enter_email(PARTNER.email)
    login.expect_status("known")
    login.page.evaluate("window.wwBeforeLeaving = true")
    login.forgot_password()

    login.page.go_back()
    back = LoginPage(login.page)
    assert back.page.evaluate("window.wwBeforeLeaving") is None, "a new document, not the old one kept in memory"
    expect(back.email).to_have_value(PARTNER.email)
    back.expect_status("known")
    assert back.frame_colour() == SUCCESS


def test_slow_check_never_disables_the_button_and_one_click_signs_in(
        open_login, bridge_server, silent_listener, redirect_uri):
    login = open_login()
    # The check goes to a port that accepts the connection and never answers.
    login.page.route(f"{bridge_server.url}/api/v1/email-status",
                     lambda route: route.continue_(url=f"{silent_listener}/api/v1/email-status"))

    login.email.fill(PARTNER.email)
    login.password.fill(PARTNER.password)
    login.expect_status("checking")
    expect(login.submit_button).to_be_enabled()
    with lands_on(login.page, redirect_uri) as landing:
        login.submit_button.click()
    assert landing.code


# --- layout, help page ---------------------------------------------------------------------------

@pytest.mark.parametrize("width", [360, 1280])
def test_no_horizontal_scrolling_on_phones_and_desktops(open_login, width, screenshot):
    login = open_login(width=width)
    login.enter_email(NOBODY)  # the longest message the field shows
    login.expect_status("unknown")
    scroll_width = login.scroll_width()
    assert scroll_width <= width, f"page is {scroll_width} px wide in a {width} px window"
    screenshot(login.page, f"unknown-{width}px")


def test_help_page_is_linked_from_the_sign_in_page_and_is_accessible(open_login, bridge_server, screenshot, axe_clean):
    login = open_login("de")
    expect(login.help_link).to_have_attribute("href", f"{bridge_server.url}/help?lang=de")
    login.help_link.click()
    page = login.page
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("noreply@woundwo.com")
    screenshot(page, "help-de")
    axe_clean(page)
