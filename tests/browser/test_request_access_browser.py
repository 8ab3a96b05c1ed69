"""Requesting an account in real Chromium: from the themed sign-in page to the bridge's form and its confirmation.

Keycloak serves the sign-in page with our theme, the real bridge (gunicorn, SQLite) serves the form. The
person keeps their language across the two servers, sees what is wrong when the form is incomplete, and
learns on the confirmation page when and from whom the activation e-mail comes (docs/architecture.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.browser.bridge_pages import (ConfirmationPage, RequestAccessPage, RequestDetails, html_language,
                                        sticking_out)
from tests.browser.pages import LoginPage

REQUIRED = ("customer_number", "company", "first_name", "last_name", "email")


@dataclass(frozen=True)
class Language:
    """What a person reading `code` sees on the bridge's pages (bridge/translations)."""

    code: str
    browser_locale: str
    title: str
    customer_number_label: str
    correct_the_fields: str
    fill_in_this_field: str
    confirm_consent: str
    thank_you: str
    at_four: str
    spam: str


FRENCH = Language("fr", "fr-FR", "Demander un compte B2B", "Numéro client",
                  "Veuillez corriger les champs signalés ci-dessous.", "Veuillez remplir ce champ.",
                  "Veuillez confirmer votre accord afin que nous puissions traiter votre demande.",
                  "Merci, votre demande a été envoyée",
                  "le lendemain à 04h00",  # French writes hours with "h", as the FAQ does
                  "dossier spam")
GERMAN = Language("de", "de-DE", "B2B-Zugang beantragen", "Kundennummer",
                  "Bitte korrigieren Sie die unten markierten Felder.", "Bitte füllen Sie dieses Feld aus.",
                  "Bitte bestätigen Sie Ihr Einverständnis, damit wir Ihre Anfrage bearbeiten können.",
                  "Vielen Dank, Ihre Anfrage wurde gesendet", "am folgenden Tag um 04:00 Uhr", "Spam-Ordner")


@pytest.fixture
def login_page(new_page, keycloak, demo, bridge_server, test_env):
    """login_page(language, width=1280) → the themed sign-in page of the portal, in a fresh browser."""

    def open_page(language: Language, width: int = 1280) -> LoginPage:
        page = new_page(locale=language.browser_locale, width=width)
        return LoginPage.open(page, keycloak.url, test_env["PORTAL_URL"] + "/callback", language.code)

    return open_page


def unique_address(tag: str) -> str:
    return f"request.{tag}.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"


@pytest.mark.parametrize("language", [FRENCH, GERMAN], ids=lambda language: language.code)
def test_person_requests_an_account_from_the_sign_in_page_in_their_language_and_is_told_about_the_0400_email(
        language, login_page, bridge_server, stored_request, screenshot, axe_clean):
    login = login_page(language)
    form = RequestAccessPage.from_login_page(login.page)

    # The form opens on the bridge, in the sign-in page's language.
    assert form.page.url.startswith(f"{bridge_server.url}/request-access")
    assert html_language(form.page) == language.code
    expect(form.title).to_have_text(language.title)
    expect(form.label("customer_number")).to_have_text(language.customer_number_label)
    expect(form.input("language")).to_have_value(language.code)
    screenshot(form.page, "form")
    axe_clean(form.page)

    # Sent empty: a summary announced as an alert and focused, and each missing field marked and explained.
    form.send()
    form = RequestAccessPage(form.page)
    expect(form.notice).to_have_attribute("role", "alert")
    expect(form.notice).to_have_text(language.correct_the_fields)
    assert form.focused_id() == "form-notice", "focus goes to the summary, so that it is read first"
    for name in REQUIRED:
        expect(form.input(name)).to_have_attribute("aria-invalid", "true")
        expect(form.error(name)).to_have_text(language.fill_in_this_field)
        assert f"{name}-error" in form.described_by(name)
    expect(form.input("privacy_consent")).to_have_attribute("aria-invalid", "true")
    expect(form.error("privacy_consent")).to_have_text(language.confirm_consent)
    expect(form.input("phone")).not_to_have_attribute("aria-invalid", "true")
    assert html_language(form.page) == language.code
    screenshot(form.page, "errors")
    axe_clean(form.page)

    # Filled in as on the invoice (with a space inside the customer number), consent given.
    email = unique_address(language.code)
    form.fill_in(RequestDetails(customer_number="100 001", company="Pharmacie Centrale", first_name="Léa",
                                last_name="Lefèvre-Müller", email=email, job_title="Préparatrice"))
    form.send()

    sent = ConfirmationPage(form.page)
    assert html_language(sent.page) == language.code
    expect(sent.title).to_have_text(language.thank_you)
    for promise in ("noreply@woundwo.com", language.at_four, language.spam):
        expect(sent.text).to_contain_text(promise)
    screenshot(sent.page, "sent")
    axe_clean(sent.page)

    stored = stored_request(email)
    assert stored is not None, "the confirmation must mean the request was stored"
    assert (stored.customer_number, stored.language, stored.status) == ("100001", language.code, "pending")


def test_request_form_fits_a_360_px_phone_without_horizontal_scrolling_also_with_errors(
        login_page, screenshot):
    login = login_page(GERMAN, width=360)  # German: the longest words
    assert sticking_out(login.page) == []
    form = RequestAccessPage.from_login_page(login.page)
    assert sticking_out(form.page) == []
    screenshot(form.page, "form")

    form.send()
    form = RequestAccessPage(form.page)
    expect(form.error("customer_number")).to_be_visible()
    assert sticking_out(form.page) == []
    screenshot(form.page, "errors")
