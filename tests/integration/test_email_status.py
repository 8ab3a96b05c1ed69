"""POST /api/v1/email-status against the real Keycloak: who is known, limits, CORS, Keycloak down or hung."""

from __future__ import annotations

import time

import pytest
import requests

from bridge.core.addresses import keyed_hash
from devstack.seed import MANAGER_WEST, PARTNER
from devstack.settings import TEST_PORTS

ORIGIN = f"http://localhost:{TEST_PORTS.keycloak}"


def check(client, email, **headers):
    return client.post("/api/v1/email-status", json={"email": email}, headers=headers)


@pytest.fixture(scope="module")
def special_users(gateway):
    """A disabled partner and an enabled person without any B2B role."""
    disabled = gateway.ensure_user("disabled.partner@pharmacie-du-port.example", "Lea", "Roux", "fr", {})
    gateway.grant_realm_role(disabled, "b2b-partner")
    gateway.set_enabled(disabled, False)
    gateway.ensure_user("no.role@pharmacie-du-port.example", "Noe", "Petit", "fr", {})
    return {"disabled": "disabled.partner@pharmacie-du-port.example", "no_role": "no.role@pharmacie-du-port.example"}


@pytest.fixture
def client(make_app, keycloak, demo):
    return make_app().test_client()


@pytest.mark.parametrize("email", [PARTNER.email, MANAGER_WEST.email, "admin@woundwo.example"])
def test_people_who_can_sign_in_are_known(client, email):
    response = check(client, email)
    assert response.status_code == 200 and response.json == {"status": "known"}


@pytest.mark.parametrize("variant", [PARTNER.email.upper(), f"  {PARTNER.email}\t", " Partner@Pharmacie-Centrale.Example "])
def test_case_and_surrounding_spaces_do_not_matter(client, variant):
    assert check(client, variant).json == {"status": "known"}


def test_an_address_nobody_has_is_unknown(client):
    assert check(client, "nobody@pharmacie-centrale.example").json == {"status": "unknown"}


def test_a_disabled_user_is_unknown(client, special_users):
    assert check(client, special_users["disabled"]).json == {"status": "unknown"}


def test_a_user_without_a_b2b_role_is_unknown(client, special_users):
    assert check(client, special_users["no_role"]).json == {"status": "unknown"}


@pytest.mark.parametrize("text", ["partner", "partner@", "@pharmacie-centrale.example", "a b@c.de", ""])
def test_text_that_is_not_an_address_is_invalid(client, text):
    assert check(client, text).json == {"status": "invalid"}


def test_per_ip_limit_answers_429_with_retry_after(make_app, keycloak):
    client = make_app(EMAIL_CHECK_LIMIT_PER_IP="3 per minute").test_client()
    answers = [check(client, PARTNER.email) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json == {"status": "throttled"}
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    assert "Retry-After" not in answers[0].headers  # only a refusal says when to come back


def test_per_ip_limit_counts_each_client_address_apart(make_app, keycloak):
    client = make_app(EMAIL_CHECK_LIMIT_PER_IP="2 per minute", TRUSTED_PROXIES=1).test_client()
    first = [check(client, PARTNER.email, **{"X-Forwarded-For": "203.0.113.7"}).status_code for _ in range(3)]
    other = check(client, PARTNER.email, **{"X-Forwarded-For": "198.51.100.9"}).status_code
    assert first == [200, 200, 429] and other == 200


def test_forwarded_for_is_ignored_without_a_trusted_proxy(make_app, keycloak):
    client = make_app(EMAIL_CHECK_LIMIT_PER_IP="2 per minute").test_client()
    spoofed = [check(client, PARTNER.email, **{"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(3)]
    assert spoofed == [200, 200, 429]


def test_the_global_ceiling_stops_what_reaches_keycloak_but_not_cached_answers(make_app, keycloak):
    """Sources all over the world spray unknown addresses: Keycloak sees at most the ceiling, and the
    partner whose answer is cached keeps getting it (the ceiling protects Keycloak, not the cache)."""
    client = make_app(EMAIL_CHECK_LIMIT_GLOBAL="3 per minute", TRUSTED_PROXIES=1).test_client()
    assert check(client, PARTNER.email, **{"X-Forwarded-For": "192.0.2.1"}).json == {"status": "known"}
    sprayed = [check(client, f"nobody.{n}@example.com", **{"X-Forwarded-For": f"198.51.100.{n}"}).status_code
               for n in range(5)]
    assert sprayed == [200, 200, 429, 429, 429]
    assert check(client, PARTNER.email, **{"X-Forwarded-For": "192.0.2.1"}).json == {"status": "known"}


def test_cors_allows_the_keycloak_origin_with_preflight(client):
    preflight = client.options("/api/v1/email-status", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    answer = check(client, PARTNER.email, Origin=ORIGIN)
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert answer.headers["Access-Control-Expose-Headers"] == "Retry-After"


def test_cors_refuses_other_origins(client):
    preflight = client.options("/api/v1/email-status", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Origin" not in check(client, PARTNER.email, Origin="https://evil.example").headers


@pytest.mark.parametrize("broken_keycloak", ["nothing_listens", "silent_listener"])
def test_unavailable_within_two_seconds_when_keycloak_is_down_or_hangs(make_app, request, broken_keycloak):
    client = make_app(KEYCLOAK_URL=request.getfixturevalue(broken_keycloak)).test_client()
    started = time.monotonic()
    response = check(client, PARTNER.email)
    assert time.monotonic() - started < 2
    assert response.status_code == 503 and response.json == {"status": "unavailable"}


def test_after_a_hanging_keycloak_the_next_checks_do_not_wait_again(make_app, silent_listener):
    client = make_app(KEYCLOAK_URL=silent_listener, EMAIL_STATUS_FAILURE_PAUSE=10).test_client()
    assert check(client, PARTNER.email).status_code == 503  # waited for the deadline
    started = time.monotonic()
    answers = [check(client, f"someone{n}@pharmacie-centrale.example") for n in range(5)]
    assert time.monotonic() - started < 0.5
    assert [a.json for a in answers] == [{"status": "unavailable"}] * 5


def test_switched_off_check_answers_disabled(make_app, nothing_listens):
    client = make_app(EMAIL_CHECK_ENABLED=False, KEYCLOAK_URL=nothing_listens).test_client()
    assert check(client, PARTNER.email).json == {"status": "disabled"}


def test_served_bridge_answers_the_login_page_origin(bridge_server, demo):
    response = requests.post(f"{bridge_server.url}/api/v1/email-status", json={"email": PARTNER.email},
                             headers={"Origin": ORIGIN}, timeout=5)
    assert response.json() == {"status": "known"}
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_addresses_reach_the_log_only_as_a_keyed_hash(bridge_server, test_env, demo):
    marker = "log-probe.7f3a@pharmacie-centrale.example"
    requests.post(f"{bridge_server.url}/api/v1/email-status", json={"email": marker}, timeout=5)
    time.sleep(0.5)
    log = bridge_server.log_file.read_text()
    assert keyed_hash(test_env["BRIDGE_SECRET_KEY"], marker) in log
    assert marker not in log and "log-probe" not in log


def test_counters_are_exported_for_prometheus(client):
    check(client, "nobody@pharmacie-centrale.example")
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'bridge_email_checks_total{result="unknown"}' in metrics
