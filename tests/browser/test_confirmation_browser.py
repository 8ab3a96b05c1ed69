"""The yearly confirmation's page in Chromium: the team admin of customer 100001 reads their list in French, German
and English on a phone (375 px, nothing to scroll sideways, axe clean) and answers it with one click per person;
the regional manager's copy of a customer's list reads as well."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bridge.keycloak.access import PARTNER_ROLE
from devstack.seed import MANAGER_EAST, TEAM_ADMIN
from tests.browser.bridge_pages import YearlyConfirmationPage, open_review_ui, sticking_out
from tests.browser.test_team_browser import PHONE, colleague

HEADINGS = {"fr": "Qui travaille encore chez Pharmacie Centrale", "de": "Wer arbeitet noch bei Pharmacie Centrale",
            "en": "Who still works at Pharmacie Centrale"}


@pytest.fixture(scope="module")
def round_people(bridge_server, gateway, demo) -> dict[str, str]:
    """Two colleagues of customer 100001 and one of 100002, then a round started by the operator."""
    people = {"stays": colleague(gateway), "leaves": colleague(gateway), "east": colleague(gateway, "100002")}
    bridge_server.command("confirmations", "start")
    return people


@pytest.fixture
def team_admin_page(new_page, bridge_server, round_people):
    page = new_page(locale="fr-FR", **PHONE)
    open_review_ui(page, bridge_server.url, "/team/confirm").sign_in(TEAM_ADMIN.email, TEAM_ADMIN.password)
    expect(page).to_have_url(re.compile(r"/team/confirm\?lang=fr"))
    return page


@pytest.mark.parametrize("lang", ["fr", "de", "en"])
def test_the_list_reads_well_on_a_phone_in_each_language(team_admin_page, bridge_server, round_people, lang,
                                                         screenshot, axe_clean):
    page = YearlyConfirmationPage.open(team_admin_page, bridge_server.url, "/team/confirm", lang)
    expect(page.title).to_contain_text(HEADINGS[lang])
    expect(page.person(round_people["stays"])).to_have_count(1)
    expect(page.person(round_people["east"])).to_have_count(0)
    assert page.page.locator("html").get_attribute("lang") == lang
    assert sticking_out(page.page) == []
    screenshot(page.page, lang)
    axe_clean(page.page)


def test_the_team_admin_confirms_one_colleague_and_ends_the_access_of_another(team_admin_page, bridge_server,
                                                                            round_people, gateway, axe_clean):
    page = YearlyConfirmationPage.open(team_admin_page, bridge_server.url, "/team/confirm", "en")
    page.choose(round_people["stays"], "Still works with us")
    page.choose(round_people["leaves"], "Has left: end the access")
    page = page.send()
    expect(page.status).to_contain_text("Access ended: 1")
    expect(page.person(round_people["leaves"])).to_contain_text("Has left: access ended")
    expect(page.person(round_people["stays"]).get_by_label("Still works with us")).to_be_checked()
    assert PARTNER_ROLE not in gateway.realm_roles(gateway.find_user_by_email(round_people["leaves"])["id"])
    assert PARTNER_ROLE in gateway.realm_roles(gateway.find_user_by_email(round_people["stays"])["id"])
    assert sticking_out(page.page) == []
    axe_clean(page.page)


def test_the_regional_manager_answers_for_a_customer_without_team_admin_on_a_phone(new_page, bridge_server,
                                                                                   round_people, axe_clean):
    page = new_page(locale="de-DE", **PHONE)
    open_review_ui(page, bridge_server.url, "/manage/confirmations/100002").sign_in(
        MANAGER_EAST.email, MANAGER_EAST.password)
    confirmation = YearlyConfirmationPage(page)
    expect(confirmation.title).to_contain_text("Wer arbeitet noch bei")
    expect(confirmation.person(round_people["east"])).to_have_count(1)
    assert sticking_out(page) == []
    axe_clean(page)
