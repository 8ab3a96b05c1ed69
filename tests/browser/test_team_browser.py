"""The team page in Chromium: a team admin signs in through Keycloak's page, reads the page in French, German
and English on a phone (375 px, nothing to scroll sideways, axe clean), asks access for a colleague and removes
another one."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from bridge.keycloak.access import PARTNER_ROLE
from devstack.seed import TEAM_ADMIN
from tests.browser.bridge_pages import TeamPage, open_review_ui, sticking_out

PHONE = {"width": 375, "height": 812}
HEADINGS = {"fr": "Votre équipe chez", "de": "Ihr Team bei", "en": "Your team at"}


def colleague(gateway, customer_number: str = "100001") -> str:
    """A person with access for the customer (a long name, as people have); return the address."""
    email = f"team.browser.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    organization_id = gateway.ensure_organization(customer_number, f"Company {customer_number}", "west")
    user_id = gateway.ensure_user(email, "Noé", "Lambert-Duplessis", "fr", {"customer_number": customer_number})
    gateway.add_member(organization_id, user_id)
    gateway.grant_realm_role(user_id, PARTNER_ROLE)
    return email


@pytest.fixture
def team_page(new_page, bridge_server, keycloak, demo):
    """The team admin of customer 100001 signed in on a phone-sized window; the page in their language (French)."""
    page = new_page(locale="fr-FR", **PHONE)
    open_review_ui(page, bridge_server.url, "/team/").sign_in(TEAM_ADMIN.email, TEAM_ADMIN.password)
    expect(page).to_have_url(re.compile(rf"^{re.escape(bridge_server.url)}/team/\?lang=fr"))
    return TeamPage(page)


@pytest.mark.parametrize("lang", ["fr", "de", "en"])
def test_the_team_page_reads_well_on_a_phone_in_each_language(team_page, bridge_server, gateway, lang, screenshot,
                                                              axe_clean):
    email = colleague(gateway)
    page = TeamPage.open(team_page.page, bridge_server.url, lang)
    expect(page.title).to_contain_text(HEADINGS[lang])
    expect(page.person(email)).to_have_count(1)
    assert page.page.locator("html").get_attribute("lang") == lang
    assert sticking_out(page.page) == []
    screenshot(page.page, lang)
    axe_clean(page.page)


def test_a_team_admin_asks_access_for_a_colleague_and_removes_another(team_page, bridge_server, gateway, axe_clean):
    leaver = colleague(gateway)
    page = TeamPage.open(team_page.page, bridge_server.url, "en")
    invited = f"new.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
    page = page.invite("Zoé", "Durand", invited, "de")
    expect(page.status).to_contain_text("on its way to your regional manager")
    expect(page.waiting.filter(has_text=invited.split("@")[0])).to_have_count(1)
    assert sticking_out(page.page) == []

    page = page.remove(leaver, "has left the company")
    expect(page.status).to_contain_text("your regional manager has been told")
    expect(page.person(leaver)).to_have_count(0)
    assert not gateway.realm_roles(gateway.find_user_by_email(leaver)["id"]) & {PARTNER_ROLE}
    axe_clean(page.page)
