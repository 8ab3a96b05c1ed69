"""The help page's contact form, on in-memory SQLite and a mail recorder: a message reaches the customer's
regional manager through the outbox, in the manager's language, and the sender never sees the manager's address."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import Customer, OutboxItem
from tests.support.forms import VALID_CONTACT, send_contact
from tests.support.worker import run_outbox

WEST = "manager.west@woundwo.example"  # customer 100001's manager, who reads French (demo directory)


def queued(app) -> list[dict]:
    with app.app_context():
        return session().scalars(select(OutboxItem.payload)).all()


def test_a_message_is_queued_for_the_customers_manager_and_delivered_by_the_worker(app, client, mailbox):
    response = send_contact(client, "en", customer_number="100 001")
    assert response.status_code == 302 and "/help/contact/sent?lang=en" in response.headers["Location"]
    assert mailbox.messages == [], "nothing is sent before the worker delivers the outbox"
    [payload] = queued(app)
    assert payload["to"] == WEST and payload["reply_to"] == VALID_CONTACT["email"]

    assert run_outbox(app) == {"sent": 1}
    [mail] = mailbox.to(WEST)
    assert mail["Subject"] == "Message de Zoé Durand, client 100001 (Pharmacie Centrale)"
    assert mail["Reply-To"] == VALID_CONTACT["email"]
    text = mail.get_body(("plain",)).get_content()
    assert "notre accès ne fonctionne plus depuis lundi" in text and "Répondez à cet e-mail" in text


def test_the_confirmation_page_and_every_answer_keep_the_managers_address_to_themselves(app, client):
    answers = [send_contact(client, "fr"), client.get("/help/contact/sent?lang=fr"), client.get("/help?lang=fr")]
    for answer in answers:
        assert WEST not in answer.get_data(as_text=True)
    assert "Merci, votre message est en route" in answers[1].get_data(as_text=True)


@pytest.mark.parametrize("lang, words", [
    ("fr", "Nous ne trouvons pas ce numéro client."),
    ("de", "Diese Kundennummer finden wir nicht."),
    ("en", "We could not find this customer number."),
])
def test_an_unknown_customer_number_is_said_in_the_pages_language_and_what_was_typed_stays(app, client, lang, words):
    response = send_contact(client, lang, customer_number="999 999")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and words in page
    assert 'value="999 999"' in page and 'value="Zoé Durand"' in page and "depuis lundi" in page
    assert queued(app) == []


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Please fill in this field."),
    ("email", "zoe.durand@", "This is not an e-mail address."),
    ("customer_number", "KD-ABC", "A customer number has 5 to 10 digits"),
    ("name", "Zoé\x1b[31m", "Please remove the invisible control characters"),
    ("message", "\x00hello", "Please remove the invisible control characters"),
    ("message", "", "Please fill in this field."),
    ("message", "x" * 2001, "Please keep the message under 2000 characters."),
    ("name", "n" * 201, "Field cannot be longer than 200 characters."),
])
def test_bad_input_is_refused_with_a_message_under_its_field(app, client, field, value, message):
    response = send_contact(client, "en", **{field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page and message in page
    assert queued(app) == []


def test_a_message_with_line_breaks_and_tabs_is_accepted(app, client):
    assert send_contact(client, "en", message="Line one\r\n\tLine two").status_code == 302


def test_a_bot_filling_the_hidden_field_is_thanked_and_nothing_is_queued(app, client):
    response = send_contact(client, "en", leave_empty="http://spam.example")
    assert response.status_code == 302 and queued(app) == []


def test_a_form_sent_faster_than_a_person_can_is_sent_back_with_what_was_typed(app, client):
    app.config["REQUEST_MIN_FILL_SECONDS"] = 60
    response = send_contact(client, "en")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "faster than a person" in page and "depuis lundi" in page
    assert queued(app) == []


def test_without_its_csrf_token_the_form_comes_back_with_what_was_typed_and_nothing_is_queued(app, client):
    response = send_contact(client, "en", csrf_token="")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "The form had expired" in page and 'value="Zoé Durand"' in page
    assert queued(app) == []


def test_switching_the_language_shows_what_was_typed_in_the_new_language_without_checking_it(app, client):
    response = send_contact(client, "en", to_lang="de", switch_language="de", email="not-yet-complete@", name="")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="de">' in page
    assert 'value="not-yet-complete@"' in page and "depuis lundi" in page
    assert 'class="error"' not in page and 'class="alert' not in page
    assert queued(app) == []


def test_the_same_message_sent_twice_is_one_e_mail(app, client):
    assert send_contact(client, "en").status_code == 302
    assert send_contact(client, "en").status_code == 302
    assert len(queued(app)) == 1


def test_a_customer_without_a_manager_reaches_the_fallback_address_with_a_note(app, client, mailbox):
    with app.app_context():
        session().get(Customer, "100001").manager_email = None
        session().commit()
    send_contact(client, "en")
    run_outbox(app)
    [mail] = mailbox.to(app.config["FALLBACK_MANAGER_EMAIL"])
    assert "aucun gestionnaire régional n'est enregistré pour ce client" in mail.get_body(("plain",)).get_content()
