"""Keycloak counts sign-ins by outcome on its management port (keycloak_user_events_total), the series the
failed-sign-in alerts of deploy/prometheus/woundwo-alerts.yml are built on (docs/security.md §4)."""

from __future__ import annotations

import requests
from prometheus_client.parser import text_string_to_metric_families

from devstack.seed import PARTNER
from tests.support.oidc import browser_session, open_login_page, submit_login


def login_events(keycloak) -> dict[str, float]:
    """Realm woundwo's login events by error ("" for a successful sign-in)."""
    text = requests.get(f"{keycloak.management_url}/metrics", timeout=10).text
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (sample.name == "keycloak_user_events_total" and sample.labels.get("realm") == "woundwo"
                    and sample.labels.get("event") == "login"):
                counts[sample.labels["error"]] = sample.value
    return counts


def sign_in(keycloak, test_env, email: str, password: str) -> None:
    session = browser_session()
    page = open_login_page(session, keycloak.url, "b2b-portal", test_env["PORTAL_URL"] + "/callback")
    submit_login(session, page, email, password)


def test_each_sign_in_outcome_is_counted_once(keycloak, test_env, demo):
    before = login_events(keycloak)
    sign_in(keycloak, test_env, PARTNER.email, "not-the-password-123")
    sign_in(keycloak, test_env, PARTNER.email, "not-the-password-456")
    sign_in(keycloak, test_env, "nobody-here@unknown-clinic.example", "whatever-password-1")
    sign_in(keycloak, test_env, PARTNER.email, PARTNER.password)
    after = login_events(keycloak)

    def grew(error: str) -> float:
        return after.get(error, 0) - before.get(error, 0)

    assert (grew("invalid_user_credentials"), grew("user_not_found"), grew("")) == (2, 1, 1), after
