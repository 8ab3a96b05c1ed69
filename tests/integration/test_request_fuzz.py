"""Property-based fuzzing of the request form: never a 5xx, and everything typed comes back escaped."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from tests.support.forms import VALID_REQUEST, hidden_fields

FIELDS = ("customer_number", "company", "first_name", "last_name", "email", "phone", "job_title", "message")
MARKUP = st.sampled_from(['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='x", "&amp;"])
TEXT = st.one_of(st.text(max_size=300), MARKUP, st.builds(lambda a, b: a + b, st.text(max_size=20), MARKUP))


@pytest.fixture
def fuzz_app(make_app, keycloak, demo):
    return make_app(REQUEST_MIN_FILL_SECONDS=0, REQUEST_LIMIT_PER_IP="100000 per hour",
                    REQUEST_ATTEMPT_LIMIT_PER_IP="100000 per hour", REQUEST_LIMIT_PER_EMAIL="100000 per hour")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), value=TEXT, language=st.sampled_from(["fr", "de", "en", "xx", ""]))
def test_any_input_is_answered_without_error_and_shown_escaped(fuzz_app, field, value, language):
    client = fuzz_app.test_client()
    page = client.get("/request-access?lang=en").get_data(as_text=True)
    response = client.post("/request-access?lang=en", data={
        **VALID_REQUEST, **hidden_fields(page), "customer_number": "999999", "language": language, field: value})
    assert response.status_code < 500
    body = response.get_data(as_text=True)
    for dangerous in ("<script>alert(1)</script>", "<img src=x onerror"):
        assert dangerous not in body
    shown = value.strip() if field != "message" else value
    if response.status_code != 302 and shown.isprintable():
        assert str(escape(shown)) in body, "what was typed is shown again, escaped"
