"""Request bodies are bounded for the whole app (and tighter for the JSON API), also when sent chunked."""

from __future__ import annotations

import io

import pytest


def chunked(client, path: str, size: int, content_type: str):
    """A body without Content-Length, as a chunked upload reaches the app (wsgi.input_terminated)."""
    return client.post(path, input_stream=io.BytesIO(b"x" * size), content_type=content_type,
                       environ_overrides={"wsgi.input_terminated": True}, headers={"Accept-Language": "en"})


@pytest.mark.parametrize("size", [2_000, 5_000_000])
def test_a_chunked_api_body_over_1_kb_is_refused_with_413(client, size):
    response = chunked(client, "/api/v1/email-status", size, "application/json")
    assert response.status_code == 413 and response.json["error"] == "request_entity_too_large"


def test_a_form_post_over_the_app_limit_gets_the_localized_page(client):
    response = chunked(client, "/request-access", 200_000, "application/x-www-form-urlencoded")
    assert response.status_code == 413 and "What was sent is too large." in response.get_data(as_text=True)


def test_an_ordinary_api_body_still_passes(client):
    assert client.post("/api/v1/email-status", json={"email": "a@b.example"}).status_code == 200
