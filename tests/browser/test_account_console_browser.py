"""After signing in at Keycloak's account console, a partner, a manager and a person who just chose a
password find their account (profile, password, sessions), never "Something went wrong"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from devstack.seed import MANAGER_WEST, PARTNER

WOUNDWO_BLUE = "rgb(11, 79, 138)"  # #0B4F8A


def sign_in_to_the_account_console(page, keycloak_url: str, email: str, password: str) -> None:
    page.goto(f"{keycloak_url}/realms/woundwo/account")
    page.fill("#username", email)
    page.fill("#password", password)
    page.click("#kc-login")


@pytest.mark.parametrize("who", ["partner", "manager", "new partner"])
def test_the_account_console_works_for_everyone_who_signs_in_there(new_page, keycloak, demo, make_partner, screenshot, who):
    # The new partner is provisioned with a password of their own, as after the activation e-mail.
    account = make_partner() if who == "new partner" else {"partner": PARTNER, "manager": MANAGER_WEST}[who]
    page = new_page()
    sign_in_to_the_account_console(page, keycloak.url, account.email, account.password)
    expect(page.locator("#email")).to_have_value(account.email, timeout=20_000)  # the personal-info form
    screenshot(page, who.replace(" ", "-"))
    body = page.locator("body").inner_text()
    assert "Something went wrong" not in body
    assert "profile.attribute" not in body, "user-profile labels are the realm's texts, not raw keys"
    # Our account theme: WOUNDWO's logo in the masthead, in WOUNDWO blue (not Keycloak's look).
    expect(page.locator("[data-testid=page-header] img").first).to_have_attribute(
        "src", re.compile(r"/account/woundwo/logo\.svg$"))
    assert page.locator(".pf-v5-c-masthead").first.evaluate("e => getComputedStyle(e).backgroundColor") == WOUNDWO_BLUE
