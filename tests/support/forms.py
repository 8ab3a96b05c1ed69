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
    page = client.get(f"/request-access?lang={lang}")
    data = {**VALID_REQUEST, **hidden_fields(page.get_data(as_text=True)), **fields}
    return client.post(f"/request-access?lang={to_lang or lang}", data={k: v for k, v in data.items() if v is not None})
