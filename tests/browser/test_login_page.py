"""The sign-in page in real Chromium: Keycloak serves our theme, the real bridge answers the live e-mail check.

What the FAQ promises (DESIGN.md §3) is checked on what the page shows: frame colour, icon, text, the
announcement of the live region, the state after autofill and back-navigation, and that one click on
the button always signs in. Only the "slow/unavailable answer" tests replace the bridge's answer, with
a page route: they test the page's behaviour, not the bridge.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from devstack.seed import PARTNER
from tests.browser.pages import LoginPage, email_check_requests, focus_order, lands_on

SUCCESS = "rgb(30, 123, 52)"      # #1E7B34
ERROR = "rgb(179, 38, 30)"        # #B3261E
LINE = "rgb(203, 210, 217)"       # #CBD2D9, the frame at rest
WARNING = ("rgb(138, 90, 0)", "rgb(255, 244, 224)")  # #8A5A00 on #FFF4E0
NOBODY = "nobody@pharmacie-centrale.example"
KNOWN_TEXT = "Address recognised: it has access to the B2B portal."


@pytest.fixture
def redirect_uri(test_env) -> str:
    return test_env["PORTAL_URL"] + "/callback"


@pytest.fixture
def open_login(new_page, keycloak, demo, bridge_server, redirect_uri):
    """open_login(locale="en", width=1280, login_hint=None) → LoginPage in a fresh browser context."""

    def open_page(locale: str = "en", width: int = 1280, login_hint: str | None = None) -> LoginPage:
        page = new_page(locale={"fr": "fr-FR", "de": "de-DE"}.get(locale, "en-US"), width=width)
        return LoginPage.open(page, keycloak.url, redirect_uri, locale, login_hint=login_hint)

    return open_page


@pytest.fixture
def low_limit_bridge(bridge_server):
    """The bridge restarted with 3 checks per minute per IP; the generous limit is restored afterwards."""
    bridge_server.restart(BRIDGE_EMAIL_CHECK_LIMIT_PER_IP="3 per minute")
    try:
        yield bridge_server
    finally:
        bridge_server.restart()


# --- the states of the e-mail field ---------------------------------------------------------------

def test_untouched_field_is_idle_and_the_page_is_accessible(open_login, screenshot, axe_clean):
    login = open_login()
    login.expect_status("idle")
    assert login.frame_colour() == LINE and login.state_icon() is None
    assert login.announcement() == ""
    screenshot(login.page, "idle")
    axe_clean(login.page)


def test_partner_address_turns_the_field_green_with_a_check_mark_and_is_announced(open_login, screenshot, axe_clean):
    login = open_login()
    login.enter_email(PARTNER.email)
    login.expect_status("known")
    assert login.frame_colour() == SUCCESS and login.frame_width() == "2px"
    assert login.state_icon() == "check"
    expect(login.message).to_be_visible()
    expect(login.message).to_have_text(KNOWN_TEXT)
    assert login.announcement() == KNOWN_TEXT
    assert login.email.get_attribute("aria-invalid") is None
    assert login.email.get_attribute("aria-describedby").split()[0] == "ww-email-message"
    screenshot(login.page, "known")
    axe_clean(login.page)


def test_unknown_address_turns_the_field_red_with_a_cross_the_causes_and_a_contact_link(
        open_login, test_env, screenshot, axe_clean):
    login = open_login()
    login.enter_email(NOBODY)
    login.expect_status("unknown")
    assert login.frame_colour() == ERROR and login.frame_width() == "2px"
    assert login.state_icon() == "cross"
    expect(login.email).to_have_attribute("aria-invalid", "true")
    announced = login.announcement()
    for cause in ("We could not find B2B access", "typos", "spaces before or after", "regional manager"):
        assert cause in announced
    expect(login.message.get_by_role("link")).to_have_attribute("href", test_env["WOUNDWO_CONTACT_URL_EN"])
    screenshot(login.page, "unknown")
    axe_clean(login.page)


def test_incomplete_address_gets_a_neutral_hint_without_asking_the_bridge(open_login):
    login = open_login()
    asked = email_check_requests(login.page)
    login.enter_email("partner@pharmacie")
    login.expect_status("invalid")
    assert login.frame_colour() == LINE and login.state_icon() is None
    expect(login.message).to_contain_text("not a complete e-mail address")
    assert asked == []


def test_past_the_per_ip_limit_the_field_says_try_again_later_and_the_form_still_signs_in(
        low_limit_bridge, open_login, redirect_uri, screenshot, axe_clean):
    login = open_login()
    for n in range(3):
        login.enter_email(f"nobody{n}@pharmacie-centrale.example")
        login.expect_status("unknown")
    login.enter_email("nobody3@pharmacie-centrale.example")
    login.expect_status("throttled")
    assert login.frame_colour() == LINE and login.state_icon() is None, "no misleading red frame"
    assert login.email.get_attribute("aria-invalid") is None
    assert login.message_colours() == WARNING
    assert "Too many checks" in login.announcement() and "try again in a few minutes" in login.announcement()
    screenshot(login.page, "throttled")
    axe_clean(login.page)

    with lands_on(login.page, redirect_uri) as landing:
        login.sign_in(PARTNER.email, PARTNER.password)
    assert landing.code


# --- autofill, back-navigation, pre-filled values, spaces -----------------------------------------

def test_silently_autofilled_address_is_checked_and_one_click_signs_in(open_login, redirect_uri, screenshot):
    login = open_login()
    login.autofill_email(PARTNER.email)
    login.password.evaluate("(input, value) => { input.value = value; }", PARTNER.password)
    login.expect_status("known")
    assert login.frame_colour() == SUCCESS
    expect(login.submit_button).to_be_enabled()
    screenshot(login.page, "autofilled")

    with lands_on(login.page, redirect_uri) as landing:
        login.submit_button.click()
    assert landing.code, "one click must sign in"


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


def test_address_prefilled_on_load_is_checked_without_any_input(open_login):
    login = open_login(login_hint=PARTNER.email)
    expect(login.email).to_have_value(PARTNER.email)
    login.expect_status("known")
    assert login.state_icon() == "check"


def test_spaces_before_and_after_the_address_are_removed_silently(open_login):
    login = open_login()
    login.enter_email(f"  {PARTNER.email}\t ")
    login.expect_status("known")
    expect(login.email).to_have_value(PARTNER.email)


# --- failed sign-in, never-blocked button, no JavaScript ------------------------------------------

def test_failed_sign_in_with_a_known_address_points_to_forgot_password(open_login, screenshot, axe_clean):
    login = open_login()
    login.sign_in(PARTNER.email, "not-the-password")

    failed = LoginPage(login.page)
    expect(failed.error).to_be_visible()
    expect(failed.error).to_contain_text("does not match")
    failed.expect_status("known")
    expect(failed.forgot_hint).to_be_visible()
    expect(failed.forgot_hint.get_by_role("link", name="Forgot password?")).to_have_attribute(
        "href", re.compile(r"/realms/woundwo/login-actions/reset-credentials\?"))
    screenshot(failed.page, "failed-known")
    axe_clean(failed.page)


def test_failed_sign_in_with_an_unknown_address_does_not_suggest_a_reset(open_login):
    login = open_login()
    login.sign_in(NOBODY, "not-the-password")

    failed = LoginPage(login.page)
    expect(failed.error).to_be_visible()
    failed.expect_status("unknown")
    expect(failed.forgot_hint).to_be_hidden()


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


def test_unavailable_check_shows_no_colour_and_one_click_signs_in(open_login, bridge_server, redirect_uri, screenshot):
    login = open_login()
    login.page.route(f"{bridge_server.url}/api/v1/email-status", lambda route: route.abort("connectionrefused"))

    login.enter_email(PARTNER.email)
    login.expect_status("unavailable")
    assert login.frame_colour() == LINE and login.state_icon() is None
    assert "not available right now" in login.announcement()
    screenshot(login.page, "unavailable")
    login.password.fill(PARTNER.password)
    expect(login.submit_button).to_be_enabled()
    with lands_on(login.page, redirect_uri) as landing:
        login.submit_button.click()
    assert landing.code


def test_without_javascript_the_plain_form_signs_in(browser, keycloak, demo, bridge_server, redirect_uri, screenshot):
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        login = LoginPage.open(context.new_page(), keycloak.url, redirect_uri, "en")
        assert login.status() == "idle", "the server-rendered state; no script changes it"
        screenshot(login.page, "no-javascript")
        with lands_on(login.page, redirect_uri) as landing:
            login.sign_in(PARTNER.email, PARTNER.password)
        assert landing.code
    finally:
        context.close()


# --- languages, layout, keyboard, help page -------------------------------------------------------

OUR_TEXTS = {
    # (title, forgot-password link, "known" message) – U+00A0 before ":" and "?" in French.
    "fr": ("Connexion à l'espace B2B", "Mot de passe oublié\u00a0?", "Adresse reconnue\u00a0: elle a accès à l'espace B2B."),
    "de": ("Anmeldung im B2B-Portal", "Passwort vergessen?", "Adresse erkannt: Sie hat Zugang zum B2B-Portal."),
}


@pytest.mark.parametrize("locale", ["fr", "de"])
def test_french_and_german_pages_speak_our_words(open_login, locale, screenshot):
    login = open_login(locale)
    title, forgot, known = OUR_TEXTS[locale]
    expect(login.page.locator("html")).to_have_attribute("lang", locale)
    expect(login.title).to_have_text(title)
    expect(login.forgot_link).to_have_text(forgot)
    login.enter_email(PARTNER.email)
    login.expect_status("known")
    assert login.announcement() == known
    screenshot(login.page, f"known-{locale}")


@pytest.mark.parametrize("width", [360, 1280])
def test_no_horizontal_scrolling_on_phones_and_desktops(open_login, width, screenshot):
    login = open_login(width=width)
    login.enter_email(NOBODY)  # the longest message the field shows
    login.expect_status("unknown")
    scroll_width = login.scroll_width()
    assert scroll_width <= width, f"page is {scroll_width} px wide in a {width} px window"
    screenshot(login.page, f"unknown-{width}px")


def test_keyboard_only_reaches_email_password_and_button_in_order_and_enter_signs_in(open_login, redirect_uri):
    login = open_login()
    expect(login.email).to_be_focused()  # autofocus on load
    order = focus_order(login.page, 12)
    assert "username" in order and "password" in order and "kc-login" in order, order
    assert order.index("username") < order.index("password") < order.index("kc-login"), order

    login.email.focus()
    login.page.keyboard.type(PARTNER.email)
    login.page.keyboard.press("Tab")
    login.expect_status("known")
    login.page.keyboard.type(PARTNER.password)
    with lands_on(login.page, redirect_uri) as landing:
        login.page.keyboard.press("Enter")
    assert landing.code


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
