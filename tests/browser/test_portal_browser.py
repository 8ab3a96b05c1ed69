"""End to end in Chromium: portal → WOUNDWO sign-in page (e-mail shows green) → portal with the partner's data → logout."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from devstack.seed import PARTNER

# The theme's success colour (#1E7B34, docs/architecture.md "Look"), as computed styles report it.
SUCCESS_GREEN = "rgb(30, 123, 52)"


class PortalPage:
    """The example portal's page, as a person sees it."""

    def __init__(self, page, url: str):
        self.page, self.url = page, url

    def open(self) -> PortalPage:
        self.page.goto(self.url + "/")
        return self

    def sign_in(self) -> None:
        self.page.locator("#sign-in").click()

    def sign_out(self) -> None:
        self.page.locator("#sign-out").click()

    def field(self, name: str):
        return self.page.locator(f"#person-{name}")


class LoginPage:
    """Keycloak's sign-in page in the WOUNDWO theme (test hooks: keycloak-theme/README.md)."""

    def __init__(self, page, keycloak_url: str):
        self.page, self.keycloak_url = page, keycloak_url

    def expect_shown(self) -> None:
        expect(self.page).to_have_url(re.compile(rf"^{re.escape(self.keycloak_url)}/realms/woundwo/"))
        expect(self.page.locator("#kc-form-login")).to_be_visible()
        expect(self.page.locator("header.ww-header")).to_be_visible()

    def enter_email(self, email: str) -> None:
        self.page.locator("#username").fill(email)
        self.page.locator("#username").blur()

    def expect_email_known(self) -> None:
        """The live check (the bridge) recognised the address: status "known", a green frame."""
        expect(self.page.locator("#ww-email-field")).to_have_attribute("data-email-status", "known", timeout=10_000)
        frame = self.page.locator("#username").evaluate("input => getComputedStyle(input).borderTopColor")
        assert frame == SUCCESS_GREEN

    def submit(self, password: str) -> None:
        self.page.locator("#password").fill(password)
        self.page.locator("#kc-login").click()


def test_partner_signs_in_from_the_portal_sees_customer_and_company_then_logs_out(
        portal, keycloak, bridge_server, new_page, screenshot, axe_clean):
    page = new_page()
    portal_page, login = PortalPage(page, portal).open(), LoginPage(page, keycloak.url)
    axe_clean(page)

    portal_page.sign_in()
    login.expect_shown()
    login.enter_email(PARTNER.email)
    login.expect_email_known()
    screenshot(page, "login")
    login.submit(PARTNER.password)

    expect(page).to_have_url(f"{portal}/")
    expect(portal_page.field("customer-number")).to_have_text("100001")
    expect(portal_page.field("company")).to_have_text("Pharmacie Centrale")
    expect(portal_page.field("email")).to_have_text(PARTNER.email)
    expect(portal_page.field("name")).to_have_text("Camille Martin")
    screenshot(page, "signed-in")
    axe_clean(page)

    portal_page.sign_out()
    expect(page).to_have_url(f"{portal}/")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(portal_page.field("customer-number")).to_have_count(0)

    portal_page.sign_in()
    login.expect_shown()  # Keycloak's session ended with the logout: no silent sign-in
