"""/metrics reports the outbox as the database holds it: rows failed for good, rows being retried, and how
long the oldest due row has waited (deploy/prometheus/woundwo-alerts.yml alerts on the first and last)."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from bridge.core import db
from bridge.core.models import OutboxItem, utcnow


def outbox_gauges(client) -> dict[str, float]:
    text = client.get("/metrics").get_data(as_text=True)
    return {family.name.removeprefix("bridge_outbox_"): family.samples[0].value
            for family in text_string_to_metric_families(text) if family.name.startswith("bridge_outbox_")}


def test_metrics_show_failed_retrying_and_waiting_outbox_rows(make_app):
    app = make_app()
    client = app.test_client()
    assert outbox_gauges(client) == {"failed_items": 0, "retrying_items": 0, "oldest_due_seconds": 0}

    now = utcnow()
    with app.app_context():
        session = db.session()
        session.add_all([
            OutboxItem(kind="mail", payload={}, idempotency_key="failed", status="failed", attempts=8),
            OutboxItem(kind="mail", payload={}, idempotency_key="backing-off", status="pending", attempts=2,
                       next_attempt_at=now + timedelta(minutes=10)),
            OutboxItem(kind="mail", payload={}, idempotency_key="waiting", status="pending", attempts=0,
                       next_attempt_at=now - timedelta(minutes=20)),
            OutboxItem(kind="mail", payload={}, idempotency_key="sent", status="sent", attempts=1, done_at=now),
        ])
        session.commit()

    gauges = outbox_gauges(client)
    assert (gauges["failed_items"], gauges["retrying_items"]) == (1, 1)
    assert 20 * 60 <= gauges["oldest_due_seconds"] < 20 * 60 + 60


def test_metrics_still_serve_the_counters_when_the_database_cannot_be_read(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'never-migrated.sqlite'}")
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    names = {family.name for family in text_string_to_metric_families(response.get_data(as_text=True))}
    assert "bridge_email_checks" in names and not any(name.startswith("bridge_outbox_") for name in names)


def test_a_row_claimed_by_a_worker_that_died_counts_as_waiting_once_its_lease_ran_out(make_app):
    app = make_app()
    now = utcnow()
    with app.app_context():
        db.session().add(OutboxItem(kind="activation", payload={}, idempotency_key="claimed-by-the-dead",
                                    status="sending", claimed_at=now - timedelta(minutes=25),
                                    next_attempt_at=now - timedelta(minutes=30)))
        db.session().commit()
    waited = outbox_gauges(app.test_client())["oldest_due_seconds"]
    assert 15 * 60 <= waited < 15 * 60 + 60, "25 minutes since the claim, of which the 10-minute lease"
