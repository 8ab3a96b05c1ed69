"""Filling the bridge's forms through a Flask test client, as a browser would (CSRF token and all)."""

from __future__ import annotations

import re

VALID_REQUEST = {
    "customer_number": "100 001", "company": "Pharmacie Centrale", "first_name": "Zoé", "last_name": "Durand",
    "email": "zoe.durand@pharmacie-centrale.example", "phone": "+33 2 40 00 00 00", "job_title": "Préparatrice",
    "language": "fr", "message": "", "privacy_consent": "y",
}


def hidden_fields(html: str) -> dict[str, str]:
    """The form's hidden inputs (csrf_token, started)."""
    return dict(re.findall(r'<input[^>]*name="(csrf_token|started)"[^>]*value="([^"]*)"', html))


def submit_request(client, lang: str = "en", to_lang: str | None = None, **fields):
    """GET the request form, then POST it with VALID_REQUEST overridden by `fields` (to the page in `to_lang`,
    as a language link does, when given)."""
    return _send_form(client, "/request-access", "/request-access", VALID_REQUEST, lang, to_lang, fields)


VALID_CONTACT = {
    "name": "Zoé Durand", "email": "zoe.durand@pharmacie-centrale.example", "customer_number": "100001",
    "message": "Bonjour,\nnotre accès ne fonctionne plus depuis lundi. Merci de votre aide.",
}


def send_contact(client, lang: str = "en", to_lang: str | None = None, **fields):
    """GET the help page, then POST its contact form with VALID_CONTACT overridden by `fields` (to the page in
    `to_lang`, as a language link does, when given)."""
    return _send_form(client, "/help", "/help/contact", VALID_CONTACT, lang, to_lang, fields)


def _send_form(client, page_path: str, action: str, valid: dict, lang: str, to_lang: str | None, fields: dict):
    page = client.get(f"{page_path}?lang={lang}")
    data = {**valid, **hidden_fields(page.get_data(as_text=True)), **fields}
    return client.post(f"{action}?lang={to_lang or lang}", data={k: v for k, v in data.items() if v is not None})
