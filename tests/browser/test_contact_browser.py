"""The help page's contact form in real Chromium: a partner writes to their regional manager by customer number,
an unknown number is said on the page with everything typed kept, and axe stays clean throughout."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.bridge_pages import HelpPage


def test_a_partner_writes_to_the_regional_manager_and_an_unknown_number_loses_nothing(
        new_page, bridge_server, screenshot, axe_clean):
    page = new_page(locale="fr-FR")
    help_page = HelpPage.open(page, bridge_server.url, "fr")
    axe_clean(page)
    sender = f"contact.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    message = f"Notre accès ne fonctionne plus ({sender})."
    help_page.write(name="Zoé Durand", email=sender, customer_number="999 999", message=message)
    help_page.send()

    help_page = HelpPage(page)
    expect(help_page.notice).to_contain_text("Nous ne trouvons pas ce numéro client.")
    expect(help_page.notice).to_be_focused()
    expect(help_page.input("customer_number")).to_have_attribute("aria-invalid", "true")
    for name, value in {"name": "Zoé Durand", "email": sender, "customer_number": "999 999", "message": message}.items():
        expect(help_page.input(name)).to_have_value(value)
    screenshot(page, "contact-unknown-customer-fr")
    axe_clean(page)

    help_page.input("customer_number").fill("KD-100001")
    help_page.send()
    expect(page).to_have_url(re.compile(r"/help/contact/sent\?lang=fr$"))
    expect(page.locator("h1")).to_have_text("Merci, votre message est en route")
    axe_clean(page)
    assert "manager.west@woundwo.example" not in page.content()
