"""`flask privacy export EMAIL` gives everything the bridge and Keycloak hold about a person as JSON; `flask privacy
erase EMAIL` leaves nothing of them in any table, keeps the decision history adding up, says what stays in
Keycloak and why, and refuses while the person has access or a request is open."""

from __future__ import annotations

import json

import pytest

from bridge.confirmation import answers, rounds
from bridge.core.db import session
from bridge.core.models import AccessRequest, utcnow
from bridge.keycloak.access import PARTNER_ROLE
from tests.support.forms import send_contact
from tests.support.personal_data import places_holding
from tests.unit.privacy.conftest import ACTIVE, ENDED, REJECTED, WROTE, decision_history


def privacy(app, *args):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["privacy", *args])


def holding(app, person) -> list[str]:
    with app.app_context():
        return places_holding(session(), [value for value in person.values if value])


def test_the_export_holds_the_request_its_history_its_mails_and_the_keycloak_account(app, everyone):
    result = privacy(app, "export", ACTIVE.email.upper())
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    [request] = data["bridge"]["access_requests"]
    assert (request["id"], request["phone"], request["status"]) == (everyone[ACTIVE], ACTIVE.phone, "approved")
    assert [event["action"] for event in data["bridge"]["audit_events"]] == ["approved", "provisioned"]
    assert {mail["idempotency_key"].split(":")[-1] for mail in data["bridge"]["emails"]} >= {"receipt", "manager-notification"}
    assert data["keycloak"]["user"]["email"] == ACTIVE.email and PARTNER_ROLE in data["keycloak"]["realm_roles"]


def test_the_export_of_a_contact_message_author_holds_the_message(app, everyone):
    data = json.loads(privacy(app, "export", WROTE.email).output)
    [mail] = data["bridge"]["emails"]
    assert mail["payload"]["reply_to"] == WROTE.email and data["keycloak"] == {"user": None, "realm_roles": []}


@pytest.mark.parametrize("person", [REJECTED, ENDED, WROTE], ids=["rejected", "access ended", "contact message"])
def test_erasure_leaves_nothing_of_the_person_and_the_history_adds_up(app, everyone, person):
    history = decision_history(app)
    assert holding(app, person)
    result = privacy(app, "erase", person.email, "--yes")
    assert result.exit_code == 0, result.output
    assert holding(app, person) == []
    assert decision_history(app) == history
    assert "what remains in Keycloak" in result.output and "eventsExpiration" in result.output
    assert holding(app, ACTIVE), "nobody else is touched"


def test_erasure_names_the_keycloak_account_that_remains(app, twin, everyone):
    result = privacy(app, "erase", ENDED.email, "--yes")
    assert f"the account {twin.find_user_by_email(ENDED.email)['id']}" in result.output


def test_erasure_is_refused_while_a_request_is_open_or_the_person_has_access(app, twin, everyone):
    result = privacy(app, "erase", ACTIVE.email, "--yes")
    assert result.exit_code == 1 and f"request {everyone[ACTIVE]} is approved" in result.output
    user_id = twin.ensure_user("lou.brun@pharmacie-centrale.example", "Lou", "Brun", "fr", {})
    twin.grant_realm_role(user_id, PARTNER_ROLE)
    result = privacy(app, "erase", "lou.brun@pharmacie-centrale.example", "--yes")
    assert result.exit_code == 1 and "has B2B access" in result.output
    assert holding(app, ACTIVE)
    with app.app_context():
        assert session().get(AccessRequest, everyone[ACTIVE]).email == ACTIVE.email


def test_erasure_waits_for_an_email_still_in_the_outbox(app, client, everyone):
    assert send_contact(client, "fr", email=WROTE.email, message="Une seconde question, merci.").status_code == 302
    result = privacy(app, "erase", WROTE.email, "--yes")
    assert result.exit_code == 1 and "still waiting in the outbox" in result.output and holding(app, WROTE)


def test_erasure_asks_first_and_refuses_what_is_not_an_address(app, everyone):
    assert privacy(app, "erase", REJECTED.email).exit_code == 1 and holding(app, REJECTED)  # no "y" typed: aborted
    assert privacy(app, "export", "not-an-address").exit_code == 2


def test_the_export_holds_the_yearly_confirmations_answers_and_erasure_leaves_no_name_in_them(app, twin, everyone):
    with app.app_context():
        started = rounds.start(session(), twin, "test", utcnow(), app.config)
        confirmation = answers.current(session(), "100001")
        answers.answer(session(), confirmation, {twin.find_user_by_email(ACTIVE.email)["id"]: "confirmed"},
                       "manager.west@woundwo.example", utcnow(), "", remove=lambda user_id: None)
    [entry] = json.loads(privacy(app, "export", ACTIVE.email).output)["bridge"]["confirmations"]
    assert (entry["confirmation_id"], entry["answer"]) == (confirmation.id, "confirmed") and started.id == 1
    assert privacy(app, "erase", ENDED.email, "--yes").exit_code == 0
    assert holding(app, ENDED) == []
