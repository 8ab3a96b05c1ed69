"""POST /api/v1/email-status on the Keycloak twin: every status the login page can show."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

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


def test_a_check_that_asked_keycloak_is_logged_and_a_cached_one_only_when_debugging(client, partner, caplog):
    caplog.set_level(logging.INFO, logger="bridge.email_check.views")
    check(client, PARTNER)
    check(client, PARTNER)
    assert [record.levelname for record in caplog.records] == ["INFO"]
    caplog.set_level(logging.DEBUG, logger="bridge.email_check.views")
    check(client, PARTNER)
    assert [record.levelname for record in caplog.records] == ["INFO", "DEBUG"]
    assert PARTNER not in caplog.text and "email-status known for " in caplog.text


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


def test_an_address_with_a_request_waiting_for_its_manager_is_pending_since_the_day_it_was_sent(app, client):
    from tests.support.forms import submit_request

    email = "waiting@pharmacie-centrale.example"
    assert check(client, email).json == {"status": "unknown"}  # and cached for 20 s
    assert submit_request(app.test_client(), "en", email=email).status_code == 302
    answer = check(client, email.upper()).json
    assert answer["status"] == "pending" and answer["since"] == str(datetime.now(ZoneInfo("Europe/Paris")).date())


def test_pending_goes_with_the_off_switch(twin, mailbox):
    app = create_app({**UNIT_SETTINGS, "EMAIL_CHECK_ENABLED": False}, keycloak=twin, mail=mailbox)
    assert check(app.test_client(), "waiting@pharmacie-centrale.example").json == {"status": "disabled"}


def test_a_spray_of_unknown_addresses_uses_up_the_global_limit_but_cached_answers_still_come(twin, mailbox, partner):
    """The global limit protects Keycloak: it counts what would reach Keycloak, not answers from the cache."""
    app = create_app({**UNIT_SETTINGS, "EMAIL_CHECK_LIMIT_GLOBAL": "3 per minute"}, keycloak=twin, mail=mailbox)
    partner_client, spray = app.test_client(), app.test_client()
    spray.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert check(partner_client, PARTNER).json == {"status": "known"}  # one lookup; cached from now on
    asked = len(twin.calls)
    sprayed = [check(spray, f"nobody.{index}@example.com").status_code for index in range(10)]
    assert sprayed == [200, 200] + [429] * 8
    assert len(twin.calls) - asked == 2 * 1, "Keycloak saw only what the global limit let through"
    assert [check(partner_client, PARTNER).json for _ in range(5)] == [{"status": "known"}] * 5


def test_a_cached_pending_answer_whose_request_was_decided_is_asked_afresh(app, client):
    from sqlalchemy import update

    from bridge.core.db import session
    from bridge.core.models import AccessRequest, RequestStatus
    from tests.support.forms import submit_request

    email = "decided@pharmacie-centrale.example"
    assert submit_request(app.test_client(), "en", email=email).status_code == 302
    assert check(client, email).json["status"] == "pending"  # cached for 20 s
    with app.app_context():
        session().execute(update(AccessRequest).values(status=RequestStatus.REJECTED))
        session().commit()
    assert check(client, email).json == {"status": "unknown"}
