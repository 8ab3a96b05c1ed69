"""What the FAQ promises about the sign-in page, in Chromium and in Firefox: the live e-mail check, autofill,
the one-click sign-in, forgot password, the request form, and the page without JavaScript.

The customer's FAQ says autofill breaks the sign-in field "particularly often with Firefox". Each scenario
here runs twice, in Debian's Chromium (Playwright) and Debian's Firefox ESR (Selenium + geckodriver),
through the browser-neutral page of tests/browser/any_browser.py, against the real Keycloak, the real
bridge and the mail catcher. axe-core runs in the Chromium run only (axe-playwright). What needs
Playwright itself (answers replaced by a route, requests counted, typed values restored on back
navigation, phone-sized windows) stays in test_login_page.py.
"""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlencode

import pytest

from devstack.seed import PARTNER
from tests.browser.any_browser import BrowserPage
from tests.browser.bridge_pages import MIN_FILL_SECONDS
from tests.browser.pages import ICON_SHAPES
from tests.support.mail import wait_for_message
from tests.support.oidc import authorization_url

EMAIL = "#username"
PASSWORD = "#password"
SIGN_IN = "#kc-login"
NOBODY = "nobody@pharmacie-centrale.example"

SUCCESS = "rgb(30, 123, 52)"      # #1E7B34
ERROR = "rgb(179, 38, 30)"        # #B3261E
LINE = "rgb(203, 210, 217)"       # #CBD2D9, the frame at rest
WARNING = ["rgb(138, 90, 0)", "rgb(255, 244, 224)"]  # #8A5A00 on #FFF4E0


class EmailCheck:
    """The live-checked e-mail field of the sign-in and forgot-password pages, by the theme's test hooks
    (keycloak-theme/README.md): #ww-email-field[data-email-status], #username, #ww-email-live."""

    def __init__(self, page: BrowserPage):
        self.page = page

    def status(self) -> str:
        return self.page.attribute("#ww-email-field", "data-email-status") or ""

    def wait_for(self, status: str) -> None:
        self.page.wait_until(lambda: self.status() == status, f"the field to show {status!r} (shows {self.status()!r})")

    def announcement(self) -> str:
        """What the polite live region holds, i.e. what a screen reader announces."""
        assert self.page.attribute("#ww-email-live", "aria-live") == "polite"
        return self.page.text("#ww-email-live")

    def frame(self) -> tuple[str, str]:
        """Colour and width of the field's frame as rendered, e.g. ("rgb(30, 123, 52)", "2px")."""
        return tuple(self.page.run("const s = getComputedStyle(document.querySelector(arguments[0]));"
                                   "return [s.borderTopColor, s.borderTopWidth];", EMAIL))

    def icon(self) -> str | None:
        """"check" or "cross" when an icon shows inside the field, else None."""
        image = self.page.run("""const icon = document.querySelector("#ww-email-field .ww-state-icon");
            const style = getComputedStyle(icon);
            return style.display === "none" || style.visibility === "hidden" ? null : style.backgroundImage;""")
        if not image or image == "none":
            return None
        return next((name for name, shape in ICON_SHAPES.items() if shape in image), "other")

    def message_colours(self) -> list[str]:
        """Text and background colour of the line under the field."""
        return self.page.run("const s = getComputedStyle(document.getElementById('ww-email-message'));"
                             "return [s.color, s.backgroundColor];")


@pytest.fixture
def sign_in_page(open_browser, keycloak, demo, bridge_server, redirect_uri):
    """sign_in_page(language="en", login_hint=None, javascript=True) → the portal's sign-in page in a fresh browser."""

    def open_page(language: str = "en", login_hint: str | None = None, javascript: bool = True) -> BrowserPage:
        page = open_browser(locale={"fr": "fr-FR", "de": "de-DE"}.get(language, "en-US"), javascript=javascript)
        url = authorization_url(keycloak.url, "b2b-portal", redirect_uri, language)
        page.goto(url + ("&" + urlencode({"login_hint": login_hint}) if login_hint else ""))
        page.wait_for("#kc-form-login")
        return page

    return open_page


@pytest.fixture
def accessible(axe_clean):
    """accessible(page): axe-core finds no violation (in the Chromium run; axe-playwright drives Playwright only)."""

    def check(page: BrowserPage) -> None:
        if page.browser == "chromium":
            axe_clean(page.page)

    return check


@pytest.fixture
def low_limit_bridge(bridge_server):
    """The bridge restarted with 3 checks per minute per IP; the generous limit is restored afterwards."""
    bridge_server.restart(BRIDGE_EMAIL_CHECK_LIMIT_PER_IP="3 per minute")
    try:
        yield bridge_server
    finally:
        bridge_server.restart()


@pytest.fixture
def stopped_bridge(bridge_server):
    """The bridge stopped (its port refuses connections); started again afterwards, also when the test fails."""
    bridge_server.stop()
    try:
        yield bridge_server
    finally:
        bridge_server.restart()


def enter(page: BrowserPage, selector: str, text: str) -> None:
    """Type over what the field holds and leave it with Tab."""
    page.fill(selector, text)
    page.press("Tab")


def signs_in_with_one_click(page: BrowserPage, redirect_uri: str) -> None:
    """The button is enabled, and one click on it takes the browser to the portal with a code."""
    assert page.run("return document.querySelector(arguments[0]).disabled", SIGN_IN) is False
    with page.lands_on(redirect_uri) as landing:
        page.click(SIGN_IN)
    assert landing.code, f"{page.browser}: one click must sign in"


# --- the live check's answers ---------------------------------------------------------------------

def test_untouched_field_is_idle_and_the_page_is_accessible(sign_in_page, screenshot, accessible):
    page = sign_in_page()
    check = EmailCheck(page)
    check.wait_for("idle")
    assert check.frame()[0] == LINE and check.icon() is None and check.announcement() == ""
    assert page.focused_id() == "username", "autofocus on load"
    screenshot(page, "idle")
    accessible(page)


ANSWERS = [
    # typed address → state, frame colour, icon, words announced, aria-invalid
    (PARTNER.email, "known", SUCCESS, "check", ["Address recognised: it has access to the B2B portal."], None),
    (NOBODY, "unknown", ERROR, "cross",
     ["We could not find B2B access", "typos", "spaces before or after", "regional manager"], "true"),
    ("partner@pharmacie", "invalid", LINE, None, ["not a complete e-mail address"], None),
]


@pytest.mark.parametrize("address, status, colour, icon, words, invalid", ANSWERS, ids=[a[1] for a in ANSWERS])
def test_the_field_shows_the_checks_answer_by_frame_icon_and_announced_text(
        sign_in_page, test_env, address, status, colour, icon, words, invalid, screenshot, accessible):
    page = sign_in_page()
    check = EmailCheck(page)
    enter(page, EMAIL, address)
    check.wait_for(status)
    frame_colour, frame_width = check.frame()
    assert frame_colour == colour
    assert frame_width == "2px" or colour == LINE
    assert check.icon() == icon
    announced = check.announcement()
    assert all(word in announced for word in words), announced
    assert page.attribute(EMAIL, "aria-invalid") == invalid
    assert page.attribute(EMAIL, "aria-describedby").split()[0] == "ww-email-message"
    if status == "unknown":
        assert page.attribute("#ww-email-message a", "href") == test_env["WOUNDWO_CONTACT_URL_EN"]
    screenshot(page, status)
    accessible(page)


def test_a_typing_pause_checks_the_address_while_the_cursor_stays_in_the_field(sign_in_page):
    page = sign_in_page()
    page.type(EMAIL, PARTNER.email)
    EmailCheck(page).wait_for("known")
    assert page.focused_id() == "username", "checked after the pause, not because the field was left"


def test_spaces_before_and_after_the_address_are_removed_silently(sign_in_page):
    page = sign_in_page()
    enter(page, EMAIL, f"  {PARTNER.email}\t ")
    EmailCheck(page).wait_for("known")
    assert page.value(EMAIL) == PARTNER.email


def test_a_pasted_address_is_checked_and_one_click_signs_in(sign_in_page, redirect_uri):
    page = sign_in_page()
    page.paste(EMAIL, PARTNER.email)
    assert page.value(EMAIL) == PARTNER.email
    EmailCheck(page).wait_for("known")
    page.paste(PASSWORD, PARTNER.password)
    signs_in_with_one_click(page, redirect_uri)


def test_past_the_per_ip_limit_the_field_says_try_again_later_and_one_click_still_signs_in(
        low_limit_bridge, sign_in_page, redirect_uri, screenshot, accessible):
    page = sign_in_page()
    check = EmailCheck(page)
    for n in range(3):
        enter(page, EMAIL, f"nobody{n}@pharmacie-centrale.example")
        check.wait_for("unknown")
    enter(page, EMAIL, PARTNER.email)
    check.wait_for("throttled")
    assert check.frame()[0] == LINE and check.icon() is None, "no misleading red frame"
    assert page.attribute(EMAIL, "aria-invalid") is None
    assert check.message_colours() == WARNING
    assert "Too many checks" in check.announcement() and "try again in a few minutes" in check.announcement()
    screenshot(page, "throttled")
    accessible(page)
    page.type(PASSWORD, PARTNER.password)
    signs_in_with_one_click(page, redirect_uri)


def test_when_the_bridge_is_down_the_field_says_so_quietly_and_one_click_signs_in(
        stopped_bridge, sign_in_page, redirect_uri, screenshot):
    page = sign_in_page()
    check = EmailCheck(page)
    enter(page, EMAIL, PARTNER.email)
    check.wait_for("unavailable")
    assert check.frame()[0] == LINE and check.icon() is None
    assert "not available right now" in check.announcement()
    assert page.attribute(EMAIL, "aria-invalid") is None
    screenshot(page, "unavailable")
    page.type(PASSWORD, PARTNER.password)
    signs_in_with_one_click(page, redirect_uri)


# --- autofill: values without any event ----------------------------------------------------------

@pytest.mark.parametrize("seconds", [0, 2, 6], ids=["at-once", "after-2s", "after-6s"])
def test_silently_autofilled_fields_are_checked_and_one_click_signs_in(sign_in_page, redirect_uri, seconds, screenshot):
    page = sign_in_page()
    # What Firefox's autofill can do: both values appear without input, change or animation events.
    page.set_silently(EMAIL, PARTNER.email)
    page.set_silently(PASSWORD, PARTNER.password)
    if seconds:
        time.sleep(seconds)  # the person looks at the page before clicking: the scenario itself
        check = EmailCheck(page)
        assert check.status() == "known", "the polls after load found the autofilled address"
        assert check.frame()[0] == SUCCESS
        screenshot(page, "autofilled")
    signs_in_with_one_click(page, redirect_uri)


# --- pre-filled addresses, back navigation, back-forward cache ------------------------------------

def test_an_address_prefilled_by_the_page_is_checked_on_load_and_again_after_going_back_to_it(sign_in_page):
    page = sign_in_page(login_hint=PARTNER.email)
    assert page.value(EMAIL) == PARTNER.email
    EmailCheck(page).wait_for("known")
    page.click("#ww-forgot-password")
    page.wait_for("#kc-reset-password-form")
    page.back()
    page.wait_for("#kc-form-login")
    assert page.value(EMAIL) == PARTNER.email
    EmailCheck(page).wait_for("known")


def test_a_page_restored_from_the_back_forward_cache_checks_its_prefilled_address_again(
        stopped_bridge, sign_in_page):
    # Neither browser keeps Keycloak's pages (Cache-Control: no-store) in the back-forward cache, and Firefox
    # under WebDriver kept not even a plain page there: the restore is simulated by the event browsers send
    # then, `pageshow` with persisted = true, on a page whose check failed while the bridge was down.
    page = sign_in_page(login_hint=PARTNER.email)
    check = EmailCheck(page)
    check.wait_for("unavailable")
    page.run("document.querySelector(arguments[0]).disabled = true", SIGN_IN)  # as onsubmit left it
    stopped_bridge.restart()
    page.run("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    check.wait_for("known")
    assert page.run("return document.querySelector(arguments[0]).disabled", SIGN_IN) is False


# --- failed sign-in, keyboard, languages ----------------------------------------------------------

def test_failed_sign_in_with_a_known_address_points_to_forgot_password(sign_in_page, screenshot, accessible):
    page = sign_in_page()
    page.type(EMAIL, PARTNER.email)
    page.type(PASSWORD, "not-the-password")
    page.click(SIGN_IN)
    page.wait_for("#ww-login-error")
    assert "does not match" in page.text("#ww-login-error")
    EmailCheck(page).wait_for("known")
    page.wait_until(lambda: page.attribute("#ww-forgot-hint", "hidden") is None, "the forgot-password hint")
    assert "/realms/woundwo/login-actions/reset-credentials?" in page.attribute("#ww-forgot-hint a", "href")
    screenshot(page, "failed-known")
    accessible(page)


def test_failed_sign_in_with_an_unknown_address_does_not_suggest_a_reset(sign_in_page):
    page = sign_in_page()
    page.type(EMAIL, NOBODY)
    page.type(PASSWORD, "not-the-password")
    page.click(SIGN_IN)
    page.wait_for("#ww-login-error")
    EmailCheck(page).wait_for("unknown")
    assert page.attribute("#ww-forgot-hint", "hidden") is not None


def test_keyboard_only_reaches_email_password_and_button_in_order_and_enter_signs_in(sign_in_page, redirect_uri):
    page = sign_in_page()
    assert page.focused_id() == "username"  # autofocus on load
    page.run("document.querySelector(\"a[href='#ww-main']\").focus()")  # the skip link, first on the page
    order = []
    for _ in range(12):
        page.press("Tab")
        order.append(page.run("const e = document.activeElement; return e.id || e.getAttribute('href') || e.tagName;"))
    assert order.index("username") < order.index("password") < order.index("kc-login"), order

    page.run("document.getElementById('username').focus()")
    page.type(EMAIL, PARTNER.email)
    page.press("Tab")
    EmailCheck(page).wait_for("known")
    page.type(PASSWORD, PARTNER.password)
    with page.lands_on(redirect_uri) as landing:
        page.press("Enter")
    assert landing.code


OUR_TEXTS = {
    # (title, forgot-password link, "known" message) – U+00A0 before ":" and "?" in French.
    "fr": ("Connexion à l'espace B2B", "Mot de passe oublié\u00a0?", "Adresse reconnue\u00a0: elle a accès à l'espace B2B."),
    "de": ("Anmeldung im B2B-Portal", "Passwort vergessen?", "Adresse erkannt: Sie hat Zugang zum B2B-Portal."),
}


@pytest.mark.parametrize("language", ["fr", "de"])
def test_french_and_german_pages_speak_our_words(sign_in_page, language, screenshot):
    page = sign_in_page(language)
    title, forgot, known = OUR_TEXTS[language]
    assert page.attribute("html", "lang") == language
    assert page.text("h1") == title
    assert page.text("#ww-forgot-password") == forgot
    enter(page, EMAIL, PARTNER.email)
    check = EmailCheck(page)
    check.wait_for("known")
    assert check.announcement() == known
    screenshot(page, f"known-{language}")


# --- forgot password, the bridge's request form, no JavaScript ------------------------------------

def test_forgot_password_page_checks_the_address_and_the_e_mail_arrives(
        sign_in_page, make_partner, mailcatcher, screenshot):
    partner = make_partner("en")
    page = sign_in_page()
    page.click("#ww-forgot-password")
    page.wait_for("#kc-reset-password-form")
    assert page.text("h1") == "Reset your password"
    enter(page, EMAIL, partner.email)
    EmailCheck(page).wait_for("known")
    screenshot(page, "reset-known")
    page.click("#ww-reset-submit")
    page.wait_for("#ww-page-message")
    assert "an e-mail with a link is on its way" in page.text("#ww-page-message")
    message = wait_for_message(mailcatcher, partner.email)
    assert "/login-actions/action-token?key=" in message["Text"]


def test_request_form_filled_by_autofill_is_sent_with_one_click(open_browser, bridge_server):
    page = open_browser()
    page.goto(f"{bridge_server.url}/request-access?lang=en")
    page.wait_for("main form[method=post]")
    shown_at = time.monotonic()
    email = f"request.autofill.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    for field, value in {"customer_number": "100001", "company": "Pharmacie Centrale", "first_name": "Léa",
                         "last_name": "Lefèvre", "email": email, "phone": "+33 1 23 45 67 89"}.items():
        page.set_silently(f"#{field}", value)
    page.click("#privacy_consent")  # autofill leaves consent to the person
    time.sleep(max(0.0, 2.0 - (time.monotonic() - shown_at)))  # a person with autofill: sent 2 s after the page came
    page.click("main form[method=post] button[type=submit]")
    page.wait_until(lambda: "Thank you, your request has been sent" in page.text("h1"),
                    f"the confirmation page (h1: {page.text('h1')!r})")


def test_without_javascript_the_plain_form_signs_in(sign_in_page, redirect_uri, screenshot):
    page = sign_in_page(javascript=False)
    assert EmailCheck(page).status() == "idle", "the server-rendered state; no script changes it"
    screenshot(page, "no-javascript")
    page.type(EMAIL, PARTNER.email)
    page.type(PASSWORD, PARTNER.password)
    with page.lands_on(redirect_uri) as landing:
        page.click(SIGN_IN)
    assert landing.code


def test_switching_the_language_on_the_request_form_keeps_what_was_typed_and_sends_nothing(
        open_browser, bridge_server, stored_request):
    page = open_browser(locale="fr-FR")
    page.goto(f"{bridge_server.url}/request-access?lang=fr")
    page.wait_for("main form[method=post]")
    shown_at = time.monotonic()
    email = f"request.language.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    typed = {"customer_number": "100001", "company": "Pharmacie Centrale", "first_name": "Léa",
             "last_name": "Lefèvre", "email": email, "job_title": "Préparatrice", "message": "Merci d'avance."}
    for field, value in typed.items():
        page.type(f"#{field}", value)
    page.click("#privacy_consent")

    page.click(".languages a[lang=de]")
    page.wait_until(lambda: page.text("h1") == "B2B-Zugang beantragen", f"the German form (h1: {page.text('h1')!r})")
    assert page.attribute("html", "lang") == "de"
    assert {field: page.value(f"#{field}") for field in typed} == typed
    assert page.run("return document.querySelector('#privacy_consent').checked")
    assert page.value("#language") == "fr", "the e-mails' language is what the person chose, not the page's"
    assert not page.exists(".error") and page.text("#form-notice") == "", "nothing was checked yet"
    assert stored_request(email) is None, "nothing was stored"

    # A person takes longer than the bridge's minimum fill time; a browser driven at full speed on an idle machine
    # does not, and would be asked to send the form again ("too fast"), as a bot is.
    time.sleep(max(0.0, MIN_FILL_SECONDS + 0.5 - (time.monotonic() - shown_at)))
    page.click("main form[method=post] button[type=submit]")
    page.wait_until(lambda: page.text("h1") == "Vielen Dank, Ihre Anfrage wurde gesendet",
                    f"the German confirmation (h1: {page.text('h1')!r})")
    assert stored_request(email) is not None


@pytest.mark.parametrize("page_path", ["sign-in", "forgot-password"])
def test_switching_the_language_on_the_sign_in_pages_keeps_the_typed_address_never_the_password(
        sign_in_page, page_path):
    page = sign_in_page("en")
    if page_path == "forgot-password":
        page.click("#ww-forgot-password")
        page.wait_for("#kc-reset-password-form")
    page.type(EMAIL, PARTNER.email)
    if page_path == "sign-in":
        page.type(PASSWORD, PARTNER.password)

    page.click(".ww-lang a[hreflang=fr]")
    page.wait_until(lambda: page.attribute("html", "lang") == "fr", "the French page")
    page.wait_until(lambda: page.value(EMAIL) == PARTNER.email, "the typed address back in its field")
    if page_path == "sign-in":
        assert page.value(PASSWORD) == ""
    page.wait_until(lambda: EmailCheck(page).status() not in ("", "idle"), "the live check to look at the address")
    assert page.run("return sessionStorage.length") == 0, "the kept address is forgotten once it is back"
