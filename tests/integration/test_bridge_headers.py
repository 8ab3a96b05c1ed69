"""Security headers on bridge pages, and the optional protection of /metrics."""

from __future__ import annotations


def test_pages_forbid_framing_sniffing_and_foreign_scripts(make_app):
    response = make_app().test_client().get("/request-access?lang=en")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_logout_may_continue_to_keycloak_only(make_app, test_env):
    policy = make_app().test_client().get("/help").headers["Content-Security-Policy"]
    assert f"form-action 'self' {test_env['BRIDGE_KEYCLOAK_URL']}" in policy


def test_metrics_are_open_by_default_and_closed_with_a_token(make_app):
    assert make_app().test_client().get("/metrics").status_code == 200
    client = make_app(METRICS_TOKEN="s3cret").test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200
