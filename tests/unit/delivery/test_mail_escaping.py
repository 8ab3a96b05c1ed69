"""Every value a requester typed is escaped in every HTML mail the bridge sends (and kept as text in the plain part)."""

from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser

import pytest

from bridge.contact.service import ContactMessage
from bridge.core.models import AccessRequest, Customer
from bridge.delivery import mailer

HOSTILE = '</title><script>alert(1)</script><a href="https://evil.example/">click</a><img src=x onerror=alert(2)>'
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)


class Elements(HTMLParser):
    """The start tags of a document and the hrefs of its links."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [value for name, value in attrs if name == "href"]


def hostile_request(language: str) -> tuple[AccessRequest, Customer]:
    request = AccessRequest(
        id=7, customer_number="100001", company=HOSTILE, first_name=HOSTILE, last_name=HOSTILE,
        email="zoe@pharmacie-centrale.example", phone=HOSTILE, job_title=HOSTILE, language=language,
        message=HOSTILE, privacy_consent_at=NOW, assigned_manager_email="manager.west@woundwo.example",
        status="pending", created_at=NOW, decision_note=HOSTILE)
    customer = Customer(customer_number="100001", company=HOSTILE, country="FR", postal_code=HOSTILE,
                        region=HOSTILE, manager_email="manager.west@woundwo.example", manager_language=language)
    return request, customer


def every_mail(language: str) -> dict[str, mailer.Mail]:
    request, customer = hostile_request(language)
    return {
        "request_manager": mailer.compose("request_manager", "m@woundwo.example", language, request=request,
                                          customer=customer, review_url="http://bridge.test/manage/requests/7",
                                          without_manager=True),
        "request_receipt": mailer.compose("request_receipt", request.email, language, request=request),
        "request_rejected": mailer.compose("request_rejected", request.email, language, request=request, reason=HOSTILE),
        "access_active": mailer.compose("access_active", request.email, language, request=request,
                                        sign_in_url="http://portal.test/"),
        "contact_manager": mailer.compose("contact_manager", "m@woundwo.example", language, customer=customer,
                                          contact=ContactMessage(name=HOSTILE, email=HOSTILE, customer_number=HOSTILE,
                                                                 message=HOSTILE),
                                          without_manager=True),
    }


@pytest.mark.parametrize("language", ["fr", "de", "en"])
def test_markup_typed_by_a_requester_is_text_in_every_html_mail(app, language):
    with app.app_context():
        mails = every_mail(language)
    for name, mail in mails.items():
        elements = Elements()
        elements.feed(mail.html)
        assert "script" not in elements.tags and "img" not in elements.tags, name
        assert "https://evil.example/" not in elements.hrefs, name
        assert elements.tags.count("title") == 1, name
        assert "<script>" not in mail.html, name
        assert "\n" not in mail.subject, name
