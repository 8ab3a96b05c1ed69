"""From the help page's contact form to the regional manager's inbox, through the worker and real SMTP."""

from __future__ import annotations

from tests.support.forms import VALID_CONTACT, send_contact
from tests.support.mail import wait_for_message
from tests.support.worker import run_outbox

EAST = "manager.east@woundwo.example"  # customer 100002's manager, who reads German (demo directory)


def test_the_customers_manager_gets_the_message_in_their_language_and_can_reply_to_the_sender(app, mailcatcher):
    mailcatcher.clear()
    response = send_contact(app.test_client(), "en", customer_number="KD-100002", name="Anna Keller",
                            email="anna.keller@sanitaetshaus-berger.example",
                            message='Our order <b>4711</b> is missing.\nCould you call me?')
    assert response.status_code == 302
    assert EAST not in app.test_client().get(response.headers["Location"]).get_data(as_text=True)
    assert run_outbox(app) == {"sent": 1}

    mail = wait_for_message(mailcatcher, EAST)
    assert mail["From"]["Address"] == "noreply@woundwo.com"
    assert [address["Address"] for address in mail["ReplyTo"]] == ["anna.keller@sanitaetshaus-berger.example"]
    assert mail["Subject"].startswith("Nachricht von Anna Keller, Kunde 100002")
    assert "Our order <b>4711</b> is missing.\nCould you call me?" in mail["Text"].replace("\r\n", "\n")
    assert "&lt;b&gt;4711&lt;/b&gt;" in mail["HTML"] and "<b>4711</b>" not in mail["HTML"]
    assert [m["To"][0]["Address"] for m in mailcatcher.messages()] == [EAST], "nothing else was sent"


def test_an_unknown_customer_number_sends_nothing(app, mailcatcher):
    mailcatcher.clear()
    response = send_contact(app.test_client(), "de", customer_number="999999")
    assert response.status_code == 400 and VALID_CONTACT["message"].split("\n")[1] in response.get_data(as_text=True)
    assert run_outbox(app) == {}
    assert mailcatcher.messages() == []
