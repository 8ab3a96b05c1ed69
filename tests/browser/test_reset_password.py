"""Forgot password in real Chromium: live check on the reset page → reset e-mail → our "choose a password"
page → signing in with the new password. Runs on a partner created for the test, never the demo partner."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.pages import LoginPage, UpdatePasswordPage, lands_on
from tests.support.mail import wait_for_message

SUCCESS = "rgb(30, 123, 52)"  # #1E7B34
RESET_LINK = re.compile(r"http://localhost:\d+/realms/woundwo/login-actions/action-token\?key=[\w.\-]+")


def open_link(page, url: str) -> None:
    """Open an e-mailed link in the tab, as a person whose mail program reuses it. The sign-in page left open
    runs Keycloak's auth-session check, which reloads it when the link's answer changes the session cookie and
    so aborted the navigation now and then: leave that page first."""
    page.goto("about:blank")
    page.goto(url)

def test_partner_resets_the_password_by_e_mail_and_signs_in_with_the_new_one(
        make_partner, keycloak, bridge_server, mailcatcher, new_page, redirect_uri, screenshot, axe_clean):
    partner = make_partner("en")
    page = new_page()
    reset = LoginPage.open(page, keycloak.url, redirect_uri, "en").forgot_password()
    expect(reset.title).to_have_text("Reset your password")
    expect(reset.lead).to_contain_text("If it is registered, you will receive an e-mail")
    reset.enter_email(partner.email)
    reset.expect_status("known")
    assert reset.frame_colour() == SUCCESS and reset.state_icon() == "check"
    assert reset.announcement() == "Address recognised: it has access to the B2B portal."
    screenshot(page, "reset-known")
    axe_clean(page)

    login = reset.request_link()
    expect(login.page_message).to_contain_text("an e-mail with a link is on its way")
    message = wait_for_message(mailcatcher, partner.email)
    link = RESET_LINK.search(message["Text"])
    assert link, message["Text"]

    open_link(page, link.group(0))
    choose = UpdatePasswordPage(page)
    expect(choose.title).to_have_text("Choose your password")
    expect(choose.lead).to_have_text("You will use it with your e-mail address to sign in to the B2B portal.")
    expect(page.locator("#ww-password-hint")).to_contain_text("At least 12 characters.")
    screenshot(page, "update-password")
    axe_clean(page)
    new_password = "New-Password-" + uuid.uuid4().hex[:8]
    choose.choose(new_password)
    expect(page.locator("#kc-info-message p").first).to_have_text("Your account is up to date. You can sign in now.")
    screenshot(page, "password-saved")

    fresh = LoginPage.open(new_page(), keycloak.url, redirect_uri, "en")
    fresh.sign_in(partner.email, partner.password)
    expect(fresh.error).to_be_visible()  # the old password is gone
    with lands_on(fresh.page, redirect_uri) as landing:
        fresh.sign_in(partner.email, new_password)
    assert landing.code


def test_update_password_page_refuses_a_short_password_in_our_words(
        make_partner, keycloak, bridge_server, mailcatcher, new_page, redirect_uri, screenshot):
    partner = make_partner("fr")
    page = new_page(locale="fr-FR")
    reset = LoginPage.open(page, keycloak.url, redirect_uri, "fr").forgot_password()
    expect(reset.title).to_have_text("Réinitialiser votre mot de passe")
    reset.enter_email(partner.email)
    reset.expect_status("known")
    reset.request_link()
    open_link(page, RESET_LINK.search(wait_for_message(mailcatcher, partner.email)["Text"]).group(0))

    choose = UpdatePasswordPage(page)
    expect(choose.title).to_have_text("Choisissez votre mot de passe")
    expect(page.locator("#ww-password-hint")).to_contain_text("Au moins 12 caractères.")
    choose.choose("court")
    UpdatePasswordPage(page)
    # Keycloak reports the policy form-wide; our page shows it under the new password, in our French wording.
    expect(page.locator("#input-error-password")).to_have_text("Le mot de passe doit contenir au moins 12 caractères.")
    expect(page.locator("#password-new")).to_have_attribute("aria-invalid", "true")
    assert "input-error-password" in page.locator("#password-new").get_attribute("aria-describedby").split()
    expect(page.locator("#ww-page-message")).to_have_count(0)
    screenshot(page, "update-password-too-short-fr")


def test_a_reset_asked_for_an_unknown_address_ends_on_one_message_that_no_e_mail_was_sent(
        keycloak, bridge_server, mailcatcher, new_page, redirect_uri, screenshot, axe_clean):
    nobody = f"nobody.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    page = new_page()
    reset = LoginPage.open(page, keycloak.url, redirect_uri, "en").forgot_password()
    reset.enter_email(nobody)
    reset.expect_status("unknown")

    login = reset.request_link()
    # Keycloak answers as for any address ("if this address has B2B access, an e-mail is on its way") and
    # fills the address in; the check's answer for it replaces that notice: one message, not green above red.
    expect(login.email).to_have_value(nobody)
    login.expect_status("unknown")
    expect(login.page_message).to_be_hidden()
    expect(login.message).to_have_text(re.compile(r"^No e-mail was sent: we could not find B2B access for this address\."))
    assert login.announcement().startswith("No e-mail was sent")
    screenshot(page, "reset-unknown-one-message")
    axe_clean(page)
    assert not [m for m in mailcatcher.messages() if m["To"][0]["Address"] == nobody]


def test_a_reset_asked_for_a_known_address_keeps_keycloaks_notice_beside_the_green_field(
        make_partner, keycloak, bridge_server, mailcatcher, new_page, redirect_uri):
    partner = make_partner("fr")
    page = new_page(locale="fr-FR")
    reset = LoginPage.open(page, keycloak.url, redirect_uri, "fr").forgot_password()
    reset.enter_email(partner.email)
    reset.expect_status("known")
    login = reset.request_link()
    login.expect_status("known")
    expect(login.page_message).to_be_visible()
    expect(login.page_message).to_contain_text("un e-mail avec un lien est en route")
    wait_for_message(mailcatcher, partner.email)
