"""The account request form against the real Keycloak and database: every outcome, in fr, de and en."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from bridge.access_requests import service as access_requests
from bridge.core.db import session
from bridge.core.models import AccessRequest, OutboxItem
from devstack.seed import PARTNER
from tests.support.forms import VALID_REQUEST, submit_request

MESSAGES = {
    "required": {"fr": "Veuillez remplir ce champ.", "de": "Bitte füllen Sie dieses Feld aus.",
                 "en": "Please fill in this field."},
    "customer_number_format": {"fr": "Un numéro client compte de 5 à 10 chiffres",
                               "de": "Eine Kundennummer hat 5 bis 10 Ziffern",
                               "en": "A customer number has 5 to 10 digits"},
    "email_format": {"fr": "Ceci n'est pas une adresse e-mail.", "de": "Das ist keine E-Mail-Adresse.",
                     "en": "This is not an e-mail address."},
    "phone_format": {"fr": "uniquement des chiffres", "de": "nur Ziffern", "en": "digits, spaces and"},
    "message_length": {"fr": "limiter le message à 1000 caractères", "de": "auf 1000 Zeichen",
                       "en": "under 1000 characters"},
    "consent": {"fr": "Veuillez confirmer votre accord", "de": "Bitte bestätigen Sie Ihr Einverständnis",
                "en": "Please confirm that you agree"},
    "unknown_customer": {"fr": "Nous ne trouvons pas ce numéro client.", "de": "Diese Kundennummer finden wir nicht.",
                         "en": "We could not find this customer number."},
    "has_access": {"fr": "Vous avez déjà un compte", "de": "Sie haben bereits einen Zugang",
                   "en": "You already have an account"},
    "pending": {"fr": "est déjà en cours d'examen", "de": "wird bereits geprüft", "en": "is already being reviewed"},
    "too_fast": {"fr": "plus vite qu’une personne ne peut le remplir", "de": "schneller abgeschickt, als ein Mensch",
                 "en": "faster than a person can fill it in"},
    "throttled": {"fr": "Trop de demandes", "de": "zu viele Anfragen", "en": "Too many requests"},
    "expired": {"fr": "Le formulaire avait expiré", "de": "Das Formular war abgelaufen", "en": "The form had expired"},
}
LANGUAGES = ["fr", "de", "en"]
TYPED = ("customer_number", "company", "first_name", "last_name", "email", "phone", "job_title")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def stored(app, model):
    with app.app_context():
        return session().scalar(select(func.count()).select_from(model))


FORMAT_CASES = [
    ("required", {"first_name": ""}),
    ("required", {"company": "   "}),
    ("customer_number_format", {"customer_number": "AB-12"}),
    ("customer_number_format", {"customer_number": "1234"}),
    ("email_format", {"email": "zoe.durand@"}),
    ("phone_format", {"phone": "call me maybe"}),
    ("message_length", {"message": "x" * 1001}),
    ("consent", {"privacy_consent": None}),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case, fields", FORMAT_CASES)
def test_format_errors_are_explained_and_what_was_typed_is_kept(app, lang, case, fields):
    response = submit_request(app.test_client(), lang, **fields)
    page = text_of(response)
    assert response.status_code == 400
    assert MESSAGES[case][lang] in page
    kept = {name: value for name, value in VALID_REQUEST.items() if name not in fields and name in TYPED}
    assert all(f'value="{value}"' in response.get_data(as_text=True) for value in kept.values()), kept
    assert stored(app, AccessRequest) == 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_customer_number_not_in_the_directory(app, lang):
    response = submit_request(app.test_client(), lang, customer_number="999 999")
    assert response.status_code == 400 and MESSAGES["unknown_customer"][lang] in text_of(response)
    assert 'value="999 999"' in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_address_with_access_is_sent_to_forgot_password(app, lang):
    response = submit_request(app.test_client(), lang, email=PARTNER.email.upper())
    page = text_of(response)
    assert response.status_code == 400 and MESSAGES["has_access"][lang] in page
    assert "/login-actions/reset-credentials" in page
    assert stored(app, AccessRequest) == 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_second_request_for_a_pending_address_says_since_when_and_notifies_nobody(app, lang):
    client = app.test_client()
    assert submit_request(client, lang).status_code == 302
    again = submit_request(client, lang, email=" Zoe.Durand@Pharmacie-Centrale.example ")
    assert again.status_code == 409 and MESSAGES["pending"][lang] in text_of(again)
    assert stored(app, AccessRequest) == 1 and stored(app, OutboxItem) == 2


@pytest.mark.parametrize("lang", LANGUAGES)
def test_filled_faster_than_a_person_can_is_asked_to_send_again(make_app, app, lang):
    slow_app = make_app(REQUEST_MIN_FILL_SECONDS=30)
    response = submit_request(slow_app.test_client(), lang)
    assert response.status_code == 400 and MESSAGES["too_fast"][lang] in text_of(response)
    assert "Pharmacie Centrale" in text_of(response)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_too_many_submissions_from_one_client(make_app, app, lang):
    limited = make_app(REQUEST_MIN_FILL_SECONDS=0, REQUEST_LIMIT_PER_IP="1 per hour").test_client()
    assert submit_request(limited, lang, customer_number="not-a-number").status_code == 400  # not counted
    assert submit_request(limited, lang, email=f"first.{lang}@pharmacie-centrale.example").status_code == 302
    response = submit_request(limited, lang)
    assert response.status_code == 429 and MESSAGES["throttled"][lang] in text_of(response)
    assert "Pharmacie Centrale" in text_of(response)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_missing_csrf_token_keeps_what_was_typed(app, lang):
    response = submit_request(app.test_client(), lang, csrf_token="")
    assert response.status_code == 400 and MESSAGES["expired"][lang] in text_of(response)
    assert "Pharmacie Centrale" in text_of(response)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_success_leads_to_the_confirmation_in_the_same_language(app, lang):
    client = app.test_client()
    response = submit_request(client, lang)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/request-access/sent?lang={lang}")
    confirmation = text_of(client.get(response.headers["Location"]))
    assert "noreply@woundwo.com" in confirmation and "04:00" in confirmation.replace("04h00", "04:00")


def test_request_is_stored_with_its_manager_and_two_mails_before_anything_is_sent(app):
    submit_request(app.test_client(), "de", customer_number="100 002", email="Ute.Berger@Sanitaetshaus-Berger.example",
                   language="de")
    with app.app_context():
        request = session().scalars(select(AccessRequest)).one()
        items = session().scalars(select(OutboxItem).order_by(OutboxItem.id)).all()
    assert request.email == "ute.berger@sanitaetshaus-berger.example"
    assert request.customer_number == "100002" and request.assigned_manager_email == "manager.east@woundwo.example"
    assert [item.payload["to"] for item in items] == ["manager.east@woundwo.example", request.email]
    assert all(item.status == "pending" for item in items)


def test_customer_without_manager_goes_to_the_fallback_address(app):
    submit_request(app.test_client(), "fr", customer_number="100020", email="someone@pharmacie-nouvelle.example")
    with app.app_context():
        request = session().scalars(select(AccessRequest)).one()
        notification = session().scalars(select(OutboxItem)).first()
    assert request.assigned_manager_email == app.config["FALLBACK_MANAGER_EMAIL"]
    assert "aucun gestionnaire régional" in notification.payload["text"]


def test_honeypot_pretends_success_and_stores_nothing(app):
    response = submit_request(app.test_client(), "en", leave_empty="http://spam.example")
    assert response.status_code == 302 and stored(app, AccessRequest) == 0


def test_unique_index_holds_when_the_pending_check_is_raced(app, monkeypatch):
    client = app.test_client()
    assert submit_request(client, "en").status_code == 302
    real_check = access_requests.pending_request
    calls = []

    def check_that_loses_the_race(db_session, email):
        calls.append(email)
        return None if len(calls) == 1 else real_check(db_session, email)

    monkeypatch.setattr(access_requests, "pending_request", check_that_loses_the_race)
    response = submit_request(client, "en")
    assert response.status_code == 409 and MESSAGES["pending"]["en"] in text_of(response)
    assert stored(app, AccessRequest) == 1 and stored(app, OutboxItem) == 2
