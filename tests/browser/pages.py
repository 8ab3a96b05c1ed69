"""Page objects for the WOUNDWO sign-in pages, so browser tests say what a person does and sees.

Selectors are the theme's test hooks (keycloak-theme/README.md): `#ww-email-field[data-email-status]`,
`#username`, `#ww-email-message` inside the live region `#ww-email-live`, `#ww-login-error`,
`#ww-forgot-hint`. Nothing here waits with sleeps: every wait is on something the page shows.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlencode

from playwright.sync_api import Page, expect

from tests.browser.any_browser import Landing
from tests.support.oidc import authorization_url

# How long the live check may take to show an answer: 400 ms typing pause + the bridge + margin.
CHECK_TIMEOUT_MS = 10_000
# Shapes drawn by the state icons in woundwo.css (a check mark and a cross).
ICON_SHAPES = {"check": "M5.5 10.5l3 3 6-7", "cross": "M6.5 6.5l7 7"}


class EmailCheckPage:
    """A page with the live-checked e-mail field: the sign-in and forgot-password pages."""

    def __init__(self, page: Page):
        self.page = page
        self.email = page.locator("#username")
        self.field = page.locator("#ww-email-field")
        self.message = page.locator("#ww-email-message")
        self.live_region = page.locator("#ww-email-live")
        self.icon = page.locator("#ww-email-field .ww-state-icon")
        self.title = page.locator("h1")

    # --- what a person does -------------------------------------------------------------------

    def enter_email(self, address: str) -> None:
        """Type an address as a person does (input events), then leave the field."""
        self.email.fill(address)
        self.email.blur()

    # --- what a person sees -------------------------------------------------------------------

    def status(self) -> str:
        return self.field.get_attribute("data-email-status") or ""

    def expect_status(self, status: str, timeout: float = CHECK_TIMEOUT_MS) -> None:
        """Wait until the field shows `status` (idle, checking, known, unknown, invalid, throttled, ...)."""
        expect(self.field).to_have_attribute("data-email-status", status, timeout=timeout)

    def frame_colour(self) -> str:
        """The computed colour of the e-mail field's frame, e.g. "rgb(30, 123, 52)"."""
        return self.email.evaluate("input => getComputedStyle(input).borderTopColor")

    def frame_width(self) -> str:
        return self.email.evaluate("input => getComputedStyle(input).borderTopWidth")

    def state_icon(self) -> str | None:
        """"check" or "cross" when an icon shows inside the field, else None."""
        if not self.icon.is_visible():
            return None
        image = self.icon.evaluate("icon => getComputedStyle(icon).backgroundImage")
        return next((name for name, shape in ICON_SHAPES.items() if shape in image), "other")

    def announcement(self) -> str:
        """What the polite live region currently holds, i.e. what a screen reader announces."""
        expect(self.live_region).to_have_attribute("aria-live", "polite")
        return self.live_region.inner_text().strip()

    def scroll_width(self) -> int:
        """Width of the whole document; wider than the window means a horizontal scrollbar."""
        return self.page.evaluate("document.documentElement.scrollWidth")


class LoginPage(EmailCheckPage):
    """Keycloak's sign-in page in our theme (login.ftl)."""

    def __init__(self, page: Page):
        super().__init__(page)
        self.password = page.locator("#password")
        self.submit_button = page.locator("#kc-login")
        self.error = page.locator("#ww-login-error")
        self.forgot_hint = page.locator("#ww-forgot-hint")
        self.forgot_link = page.locator("#ww-forgot-password")
        self.help_link = page.locator("#ww-help")
        self.page_message = page.locator("#ww-page-message")

    @classmethod
    def open(cls, page: Page, keycloak_url: str, redirect_uri: str, locale: str = "en",
             client_id: str = "b2b-portal", login_hint: str | None = None) -> LoginPage:
        """Start a fresh authorization request of `client_id`; Keycloak shows the sign-in page."""
        url = authorization_url(keycloak_url, client_id, redirect_uri, locale)
        if login_hint:
            url += "&" + urlencode({"login_hint": login_hint})
        page.goto(url)
        expect(page.locator("#kc-form-login")).to_be_visible()
        return cls(page)

    def sign_in(self, email: str, password: str) -> None:
        """Fill both fields and click the button once."""
        self.email.fill(email)
        self.password.fill(password)
        self.submit_button.click()

    def forgot_password(self) -> ResetPasswordPage:
        self.forgot_link.click()
        expect(self.page.locator("#kc-reset-password-form")).to_be_visible()
        return ResetPasswordPage(self.page)


class ResetPasswordPage(EmailCheckPage):
    """The forgot-password page (login-reset-password.ftl)."""

    def __init__(self, page: Page):
        super().__init__(page)
        self.submit_button = page.locator("#ww-reset-submit")
        self.lead = page.locator(".ww-lead")

    def request_link(self) -> LoginPage:
        """Submit; Keycloak answers with the sign-in page saying an e-mail is on its way."""
        self.submit_button.click()
        expect(self.page.locator("#kc-form-login")).to_be_visible()
        return LoginPage(self.page)


class UpdatePasswordPage:
    """Where reset and activation links land: choose a new password (login-update-password.ftl)."""

    def __init__(self, page: Page):
        self.page = page
        self.title = page.locator("h1")
        self.lead = page.locator(".ww-lead")
        self.new_password = page.locator("#password-new")
        self.confirm_password = page.locator("#password-confirm")
        self.save_button = page.locator("#kc-update-password")
        expect(page.locator("#kc-passwd-update-form")).to_be_visible()

    def choose(self, password: str) -> None:
        self.new_password.fill(password)
        self.confirm_password.fill(password)
        self.save_button.click()


@contextmanager
def lands_on(page: Page, redirect_uri: str, timeout: float = 15_000) -> Iterator[Landing]:
    """Expect the actions inside the block to send the browser to `redirect_uri` (nothing need listen there)."""
    landing = Landing()
    with page.expect_request(lambda request: request.url.startswith(redirect_uri + "?"),
                             timeout=timeout) as request:
        yield landing
    landing.url = request.value.url


def email_check_requests(page: Page) -> list[str]:
    """Start recording the page's POSTs to the bridge's e-mail check; the list fills as they happen."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.post_data or "")
            if request.method == "POST" and request.url.endswith("/api/v1/email-status") else None)
    return seen

