"""The rules of submitting an account request, on the Keycloak twin and in-memory SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bridge.core.db import session
from bridge.core.models import AccessRequest, OutboxItem, OutboxKind, RequestStatus
from bridge.keycloak.access import PARTNER_ROLE
from bridge.keycloak.interface import KeycloakUnavailable
from tests.support.forms import VALID_REQUEST, submit_request

EMAIL = VALID_REQUEST["email"]


def count(app, model) -> int:
    with app.app_context():
        return session().scalar(select(func.count()).select_from(model))


def test_an_accepted_request_is_stored_for_the_customers_manager_and_its_mails_wait_in_the_outbox(app, client, mailbox):
    response = submit_request(client, "fr")
    assert response.status_code == 302 and "/request-access/sent" in response.headers["Location"]
    with app.app_context():
        request = session().scalars(select(AccessRequest)).one()
        kinds = session().scalars(select(OutboxItem.kind)).all()
        keys = session().scalars(select(OutboxItem.idempotency_key)).all()
    assert request.status == RequestStatus.PENDING and request.customer_number == "100001"
    assert request.email == EMAIL and request.assigned_manager_email == "manager.west@woundwo.example"
    assert kinds == [OutboxKind.MAIL, OutboxKind.MAIL]
    assert sorted(keys) == [f"request:{request.id}:manager-notification", f"request:{request.id}:receipt"]
    assert mailbox.messages == [], "nothing is sent before the worker delivers the outbox"


def test_a_customer_number_not_in_the_directory_stores_nothing(app, client):
    response = submit_request(client, "en", customer_number="999 999")
    assert response.status_code == 400 and "customer number" in response.get_data(as_text=True).lower()
    assert count(app, AccessRequest) == 0


def test_an_address_that_already_has_access_is_sent_to_forgot_password(app, client, twin):
    user_id = twin.ensure_user(EMAIL, "Zoé", "Durand", "fr", {"customer_number": "100001"})
    twin.grant_realm_role(user_id, PARTNER_ROLE)
    response = submit_request(client, "en", email=EMAIL.upper())
    assert response.status_code == 400 and "reset-credentials" in response.get_data(as_text=True)
    assert count(app, AccessRequest) == 0


def test_an_account_without_a_b2b_role_may_still_ask(app, client, twin):
    twin.ensure_user(EMAIL, "Zoé", "Durand", "fr", {})
    assert submit_request(client, "en").status_code == 302
    assert count(app, AccessRequest) == 1


def test_a_second_request_for_a_pending_address_stores_nothing_new(app, client):
    assert submit_request(client, "en").status_code == 302
    again = submit_request(client, "en", email=" Zoe.Durand@Pharmacie-Centrale.example ")
    assert again.status_code == 409
    assert count(app, AccessRequest) == 1 and count(app, OutboxItem) == 2


def test_keycloak_down_does_not_lose_the_request(app, client, twin):
    twin.fail_next("find_user_by_email", KeycloakUnavailable("down"))
    assert submit_request(client, "en").status_code == 302
    assert count(app, AccessRequest) == 1


def test_a_customer_without_manager_goes_to_the_fallback_address(app, client):
    with app.app_context():
        from bridge.core.models import Customer
        session().get(Customer, "100001").manager_email = None
        session().commit()
    assert submit_request(client, "en").status_code == 302
    with app.app_context():
        request = session().scalars(select(AccessRequest)).one()
    assert request.assigned_manager_email == app.config["FALLBACK_MANAGER_EMAIL"]


def test_the_honeypot_pretends_success_and_stores_nothing(app, client):
    response = submit_request(client, "en", leave_empty="http://spam.example")
    assert response.status_code == 302
    assert count(app, AccessRequest) == 0 and count(app, OutboxItem) == 0


NAME_MESSAGE = {"en": "Please use letters, spaces, hyphens and apostrophes only",
                "fr": "Veuillez n’utiliser que des lettres, des espaces, des traits d’union et des apostrophes",
                "de": "Bitte nur Buchstaben, Leerzeichen, Bindestriche und Apostrophe verwenden"}
ADDRESS_MESSAGE = {"en": "This address cannot be used for a sign-in",
                   "fr": "Cette adresse ne peut pas servir à la connexion",
                   "de": "Diese Adresse kann nicht für die Anmeldung verwendet werden"}


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
@pytest.mark.parametrize("fields, message", [
    ({"first_name": "Zoé <b>"}, NAME_MESSAGE), ({"last_name": "Durand & Fils"}, NAME_MESSAGE),
    ({"first_name": "Jean (Paul)"}, NAME_MESSAGE), ({"last_name": "Du\x01rand"}, NAME_MESSAGE),
    ({"last_name": "{$x}"}, NAME_MESSAGE), ({"email": "zoé@pharmacie-centrale.example"}, ADDRESS_MESSAGE),
    ({"email": "müller@pharmacie-centrale.example"}, ADDRESS_MESSAGE),
])
def test_what_the_realm_would_refuse_is_explained_on_the_field_and_nothing_is_stored(app, client, lang, fields, message):
    response = submit_request(client, lang, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message[lang] in page.replace("&#39;", "’").replace("'", "’")
    assert 'aria-invalid="true"' in page
    assert count(app, AccessRequest) == 0


@pytest.mark.parametrize("fields", [{"first_name": "Zoé-Anne", "last_name": "O'Neil"}, {"email": "zoe+b2b@pharmacie-centrale.example"},
                                    {"email": "o'brien@pharmacie-centrale.example"}])
def test_names_and_addresses_keycloak_accepts_go_through(app, client, fields):
    assert submit_request(client, "en", **fields).status_code == 302


@pytest.mark.parametrize("field, control", [
    *[(field, "\x00") for field in ("company", "first_name", "last_name", "job_title", "customer_number", "phone")],
    *[("first_name", control) for control in ("\x07", "\x1b[31m", "\u2028")], ("customer_number", "\u2028"),
])
def test_control_characters_are_refused_in_every_field_with_a_message(app, client, field, control):
    value = {"customer_number": "100{}001", "phone": "+33{}1"}.get(field, "Zoé{}Durand").format(control)
    response = submit_request(client, "en", **{field: value})
    assert response.status_code == 400
    assert "invisible control characters" in response.get_data(as_text=True) or field in ("customer_number", "phone")
    assert count(app, AccessRequest) == 0


def test_the_message_keeps_its_line_breaks(app, client):
    assert submit_request(client, "en", message="Bonjour,\r\nmerci.\r\n\tZoé").status_code == 302
    with app.app_context():
        assert session().scalars(select(AccessRequest.message)).one() == "Bonjour,\r\nmerci.\r\n\tZoé"


def test_a_nul_in_the_message_is_refused(app, client):
    assert submit_request(client, "en", message="Bonjour\x00").status_code == 400
    assert count(app, AccessRequest) == 0


@pytest.mark.parametrize("typed", ["100001", " 100 001 ", "KD-100001", "Kd.-Nr. 100001", "N° 100001", "Nr. 100001",
                                   "no. 100001", "KD 100001", "Kunden-Nr.: 100 001", "000100001", "KD-00100001"])
def test_the_customer_number_is_taken_as_partners_copy_it_from_an_invoice(app, client, typed):
    assert submit_request(client, "en", customer_number=typed).status_code == 302
    with app.app_context():
        assert session().scalars(select(AccessRequest.customer_number)).one() == "100001"


def test_leading_zeros_follow_the_directory(app, client):
    with app.app_context():
        from bridge.core.models import Customer
        session().get(Customer, "100001").customer_number = "00100001"
        session().commit()
    assert submit_request(client, "en", customer_number="KD-100001").status_code == 302
    with app.app_context():
        assert session().scalars(select(AccessRequest.customer_number)).one() == "00100001"


def test_phones_get_a_number_pad_for_the_customer_number(client):
    page = client.get("/request-access?lang=en").get_data(as_text=True)
    assert 'name="customer_number"' in page and 'inputmode="numeric"' in page


def test_switching_the_language_shows_what_was_typed_in_the_new_language_without_checking_or_storing_it(app, client):
    response = submit_request(client, "fr", to_lang="de", switch_language="de", email="not-yet-complete@", first_name="",
                              message="Bonjour, merci.")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="de">' in page
    assert 'value="not-yet-complete@"' in page and "Bonjour, merci." in page and 'value="Pharmacie Centrale"' in page
    assert 'class="error"' not in page and 'class="alert' not in page
    assert count(app, AccessRequest) == 0
