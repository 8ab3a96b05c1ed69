"""Page objects for the bridge's own pages: the account request, its confirmation, the help page's contact form
and the review UI.

They complete `pages.py` (Keycloak's pages in our theme). Selectors are the ids the bridge's templates
render (WTForms gives each input its field name as id, `_form.html` adds `<id>-error` and `<id>-hint`).
Waits are on what the page shows; the one deliberate pause is the time a person needs to fill the form,
which the bridge requires (REQUEST_MIN_FILL_SECONDS) to tell people from bots.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect

from bridge.core.settings import Settings
from tests.browser.pages import LoginPage

# A person needs longer than this to fill the form; faster submissions are sent back (public.py).
MIN_FILL_SECONDS = Settings.model_fields["request_min_fill_seconds"].default
# Milliseconds between two key presses when typing like a person.
TYPING_DELAY_MS = 15


def html_language(page: Page) -> str:
    """The page's declared language, `<html lang>`."""
    return page.locator("html").get_attribute("lang") or ""


def sticking_out(page: Page) -> list[str]:
    """The elements reaching past the window's right edge when the document needs a horizontal scrollbar
    (empty when it does not), e.g. ["table.facts", "td"]: an assertion on it says what to fix."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return [];
        const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
            + (typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/\\s+/).join(".") : "");
        return [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > width + 0.5).map(name).slice(0, 12);
    }""")


@dataclass
class RequestDetails:
    """What a person types into the request form."""

    customer_number: str
    company: str
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    job_title: str = ""
    message: str = ""


class RequestAccessPage:
    """The bridge's account request form (/request-access)."""

    FIELDS = ("customer_number", "company", "first_name", "last_name", "email", "phone", "job_title",
              "language", "message", "privacy_consent")

    def __init__(self, page: Page):
        self.page = page
        self.form = page.locator("main form[method=post]")
        expect(self.form).to_be_visible()
        self.shown_at = time.monotonic()
        self.title = page.locator("h1")
        self.notice = page.locator("#form-notice")
        self.submit_button = self.form.locator("button[type=submit]")
        self.consent = page.locator("#privacy_consent")

    @classmethod
    def open(cls, page: Page, bridge_url: str, lang: str) -> RequestAccessPage:
        page.goto(f"{bridge_url}/request-access?lang={lang}")
        return cls(page)

    @classmethod
    def from_login_page(cls, page: Page) -> RequestAccessPage:
        """Follow "Request an account" on the sign-in page (same tab)."""
        page.locator("#ww-request-access-link").click()
        return cls(page)

    # --- what a person does -------------------------------------------------------------------

    def fill_in(self, details: RequestDetails, consent: bool = True) -> None:
        """Type every field as a person does, key by key, and take at least the time a person takes."""
        for name, value in vars(details).items():
            if value:
                self.input(name).press_sequentially(value, delay=TYPING_DELAY_MS)
        if consent:
            self.consent.check()
        remaining = MIN_FILL_SECONDS + 0.5 - (time.monotonic() - self.shown_at)
        if remaining > 0:
            # Reading the privacy notice, checking the customer number on the invoice...
            self.page.wait_for_timeout(remaining * 1000)

    def send(self) -> None:
        """Click the button once; wait for the answer page."""
        with self.page.expect_navigation():
            self.submit_button.click()

    # --- what a person sees -------------------------------------------------------------------

    def input(self, name: str) -> Locator:
        return self.page.locator(f"#{name}")

    def label(self, name: str) -> Locator:
        return self.page.locator(f"label[for={name}]")

    def error(self, name: str) -> Locator:
        """The error line under a field (absent when the field is fine)."""
        return self.page.locator(f"#{name}-error")

    def described_by(self, name: str) -> list[str]:
        return (self.input(name).get_attribute("aria-describedby") or "").split()

    def focused_id(self) -> str:
        return self.page.evaluate("document.activeElement ? document.activeElement.id : ''")


class ConfirmationPage:
    """"Your request has been sent" (/request-access/sent)."""

    def __init__(self, page: Page):
        self.page = page
        expect(page).to_have_url(re.compile(r"/request-access/sent(\?|$)"))
        self.title = page.locator("h1")
        self.text = page.locator("main .card")


class HelpPage:
    """The help page (/help) and its contact form to the regional manager."""

    def __init__(self, page: Page):
        self.page = page
        self.form = page.locator("#contact ~ form[method=post]")
        expect(self.form).to_be_visible()
        self.shown_at = time.monotonic()
        self.notice = page.locator("#form-notice")
        self.send_button = self.form.locator("button[type=submit]")

    @classmethod
    def open(cls, page: Page, bridge_url: str, lang: str) -> HelpPage:
        page.goto(f"{bridge_url}/help?lang={lang}#contact")
        return cls(page)

    def input(self, name: str) -> Locator:
        return self.page.locator(f"#{name}")

    def error(self, name: str) -> Locator:
        return self.page.locator(f"#{name}-error")

    def write(self, **fields: str) -> None:
        """Type each field as a person does, and take at least the time a person takes."""
        for name, value in fields.items():
            self.input(name).press_sequentially(value, delay=TYPING_DELAY_MS)
        remaining = MIN_FILL_SECONDS + 0.5 - (time.monotonic() - self.shown_at)
        if remaining > 0:
            self.page.wait_for_timeout(remaining * 1000)

    def send(self) -> None:
        """Click the button once; wait for the answer page."""
        with self.page.expect_navigation():
            self.send_button.click()


def open_review_ui(page: Page, bridge_url: str, path: str = "/manage/") -> LoginPage:
    """Open a review page without a bridge session: the bridge sends the browser to Keycloak's sign-in page."""
    page.goto(f"{bridge_url}{path}")
    expect(page.locator("#kc-form-login")).to_be_visible()
    return LoginPage(page)


class ManagerQueuePage:
    """The review UI's queue (/manage/): requests the signed-in manager may see."""

    def __init__(self, page: Page):
        self.page = page
        expect(page).to_have_url(re.compile(r"/manage/(\?|$)"))
        self.title = page.locator("h1")
        self.rows = page.locator("main table tbody tr")
        self.search_field = page.locator("#q")
        self.sign_out_button = page.locator("form[action*='/manage/logout'] button[type=submit]")

    @classmethod
    def open(cls, page: Page, bridge_url: str) -> ManagerQueuePage:
        """Open the queue of a manager who is already signed in."""
        page.goto(f"{bridge_url}/manage/")
        return cls(page)

    def search(self, text: str) -> ManagerQueuePage:
        self.search_field.fill(text)
        with self.page.expect_navigation():
            self.search_field.press("Enter")
        return ManagerQueuePage(self.page)

    def row_for(self, email: str) -> Locator:
        return self.rows.filter(has=self.page.get_by_role("cell", name=email, exact=True))

    def open_request(self, email: str) -> RequestDetailPage:
        self.row_for(email).get_by_role("link").click()
        return RequestDetailPage(self.page)

    def sign_out(self) -> None:
        """Sign out: the bridge ends its session and sends the browser through Keycloak's logout."""
        self.sign_out_button.click()
        expect(self.page).to_have_url(re.compile(r"/manage/signed-out(\?|$)"))


class RequestDetailPage:
    """One request beside the customer directory's data, with the decisions and the history."""

    def __init__(self, page: Page):
        self.page = page
        expect(page).to_have_url(re.compile(r"/manage/requests/\d+(\?|$)"))
        self.title = page.locator("h1")
        self.status = page.locator("h1 .badge")
        self.flash = page.locator("main [role=status]")
        self.activation_schedule = page.locator("#activation-schedule")
        self.company_differs = page.locator("#company-differs")
        self.history = page.locator(".history li")
        self.note = page.locator("#note")
        self.approve_button = page.locator("#approve")
        self.confirmation = page.locator("#confirm-approval")

    @property
    def request_id(self) -> int:
        return int(re.search(r"/manage/requests/(\d+)", self.page.url).group(1))

    def requested(self, row: str) -> Locator:
        """A value of the "Requested" table, by its row header (e.g. "Company as typed")."""
        return self._value("requested", row)

    def directory(self, row: str) -> Locator:
        """A value of the "Customer directory" table, by its row header (e.g. "Company on file")."""
        return self._value("directory", row)

    def _value(self, section: str, row: str) -> Locator:
        return (self.page.locator(f"section[aria-labelledby={section}] tr")
                .filter(has=self.page.get_by_role("rowheader", name=row, exact=True)).locator("td"))

    def approve(self, note: str = "") -> RequestDetailPage:
        if note:
            self.note.fill(note)
        with self.page.expect_navigation():
            self.approve_button.click()
        expect(self.confirmation).to_contain_text("Approve access for")  # asks once
        with self.page.expect_navigation():
            self.page.locator("#confirm-approve").click()
        return RequestDetailPage(self.page)


class TeamPage:
    """The team page (/team/) of a signed-in team admin: colleagues, waiting requests, the invitation form."""

    def __init__(self, page: Page):
        self.page = page
        expect(page).to_have_url(re.compile(r"/team/(\?|$)"))
        self.title = page.locator("h1")
        self.people = page.locator("#people > li")
        self.waiting = page.locator("#pending > li")
        self.notice = page.locator("#form-notice")
        self.status = page.locator("[role=status]")

    @classmethod
    def open(cls, page: Page, bridge_url: str, lang: str) -> TeamPage:
        """Open the page of a team admin who is already signed in, in `lang`."""
        page.goto(f"{bridge_url}/team/?lang={lang}")
        return cls(page)

    def person(self, email: str) -> Locator:
        return self.people.filter(has_text=email.split("@")[0])

    def invite(self, first_name: str, last_name: str, email: str, language: str) -> TeamPage:
        """Fill the invitation form and send it once; the page comes back."""
        self.page.fill("#first_name", first_name)
        self.page.fill("#last_name", last_name)
        self.page.fill("#email", email)
        self.page.select_option("#language", language)
        with self.page.expect_navigation():
            self.page.click("#invite")
        return TeamPage(self.page)

    def remove(self, email: str, reason: str) -> TeamPage:
        """Ask to remove a colleague, give the reason, confirm; the team page comes back."""
        with self.page.expect_navigation():
            self.person(email).get_by_role("link").click()
        self.page.fill("#reason", reason)
        with self.page.expect_navigation():
            self.page.click("#remove")
        return TeamPage(self.page)


class YearlyConfirmationPage:
    """The yearly confirmation's list of one customer (/team/confirm or /manage/confirmations/<number>)."""

    def __init__(self, page: Page):
        self.page = page
        expect(page).to_have_url(re.compile(r"/(team/confirm|manage/confirmations/\d+)(\?|$)"))
        self.title = page.locator("h1")
        self.people = page.locator("#confirmation > li")
        self.status = page.locator("[role=status]")

    @classmethod
    def open(cls, page: Page, bridge_url: str, path: str, lang: str) -> YearlyConfirmationPage:
        """Open the list for someone already signed in, in `lang`."""
        page.goto(f"{bridge_url}{path}?lang={lang}")
        return cls(page)

    def person(self, email: str) -> Locator:
        return self.people.filter(has_text=email.split("@")[0])

    def choose(self, email: str, label: str) -> None:
        """Tick one of the person's answers by its visible label."""
        self.person(email).get_by_label(label).check()

    def send(self) -> YearlyConfirmationPage:
        with self.page.expect_navigation():
            self.page.click("#send-answers")
        return YearlyConfirmationPage(self.page)
