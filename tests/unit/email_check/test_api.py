"""POST /api/v1/email-status on the Keycloak twin: every status the login page can show."""

from __future__ import annotations

import pytest

from bridge import create_app
from bridge.core.models import Base
from bridge.keycloak.access import PARTNER_ROLE
from tests.unit.conftest import UNIT_SETTINGS

PARTNER = "partner@pharmacie-centrale.example"


@pytest.fixture
def partner(twin) -> str:
    twin.grant_realm_role(twin.ensure_user(PARTNER, "Camille", "Martin", "fr", {}), PARTNER_ROLE)
    return PARTNER


def check(client, email, origin="http://keycloak.test"):
    return client.post("/api/v1/email-status", json={"email": email}, headers={"Origin": origin})


@pytest.mark.parametrize("typed, status", [
    (PARTNER, "known"), (f"  {PARTNER.upper()} ", "known"), ("nobody@pharmacie-centrale.example", "unknown"),
    ("partner@", "invalid"), ("", "invalid"), ("a" * 300 + "@b.example", "invalid"),
])
def test_each_address_gets_its_status(client, partner, typed, status):
    response = check(client, typed)
    assert response.status_code == 200 and response.json == {"status": status}
    assert response.headers["Access-Control-Allow-Origin"] == "http://keycloak.test"


def test_a_cached_answer_does_not_ask_keycloak_again(client, twin, partner):
    check(client, PARTNER)
    asked = len(twin.calls)
    assert check(client, PARTNER.upper()).json == {"status": "known"}
    assert len(twin.calls) == asked


def test_keycloak_down_answers_unavailable_and_then_pauses(client, twin):
    twin.down = True
    assert check(client, "a@pharmacie-centrale.example").status_code == 503
    asked = len(twin.calls)
    assert check(client, "b@pharmacie-centrale.example").json == {"status": "unavailable"}
    assert len(twin.calls) == asked, "during the pause Keycloak is not asked"


def test_the_off_switch_answers_disabled_without_asking(twin, mailbox):
    app = create_app({**UNIT_SETTINGS, "EMAIL_CHECK_ENABLED": False}, keycloak=twin, mail=mailbox)
    assert check(app.test_client(), PARTNER).json == {"status": "disabled"}
    assert twin.calls == []


def test_too_many_checks_from_one_client_are_throttled_with_retry_after(twin, mailbox):
    app = create_app({**UNIT_SETTINGS, "EMAIL_CHECK_LIMIT_PER_IP": "2 per minute"}, keycloak=twin, mail=mailbox)
    Base.metadata.create_all(app.extensions["bridge.engine"])
    client = app.test_client()
    assert [check(client, PARTNER).status_code for _ in range(3)] == [200, 200, 429]
    throttled = check(client, PARTNER)
    assert throttled.json == {"status": "throttled"} and 0 < int(throttled.headers["Retry-After"]) <= 60


@pytest.mark.parametrize("body, content_type", [
    ('{"email": 5}', "application/json"), ("[]", "application/json"), ("email=a@b.example", "text/plain"),
])
def test_malformed_bodies_get_a_400_that_says_what_is_expected(client, body, content_type):
    response = client.post("/api/v1/email-status", data=body, content_type=content_type)
    assert response.status_code == 400 and response.json["error"] == "bad_request"


def test_other_origins_get_no_cors_permission(client, partner):
    assert "Access-Control-Allow-Origin" not in check(client, PARTNER, origin="https://evil.example").headers


@pytest.mark.parametrize("body", [r'{"email": "\ud800@b.example"}', r'{"email": "a\udfff@b.example"}',
                                  r'{"email": "a\u0000b@b.example"}', r'{"email": "a\nb@b.example"}'])
def test_addresses_no_mail_system_could_carry_are_invalid_not_an_error(client, body):
    response = client.post("/api/v1/email-status", data=body, content_type="application/json")
    assert response.status_code == 200 and response.json == {"status": "invalid"}
