"""Two workers following up at the same instant on a real PostgreSQL: every waiting request is reminded once
per interval and escalated once, never twice (the outbox's unique key and a conditional update decide; both
passes take the rows in the same order, so they wait for each other instead of deadlocking)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.migrate import upgrade
from bridge.core.models import AccessRequest, AuditEvent, OutboxItem, utcnow
from bridge.delivery import follow_up
from bridge.directory.customers import import_customers
from devstack.seed import DEMO_CUSTOMERS

pytestmark = pytest.mark.integration
REQUESTS = 60


def test_two_workers_at_once_remind_and_escalate_each_request_exactly_once(postgres, make_app):
    url = postgres.create_database("follow_up")
    upgrade(url)
    apps = [make_app(DATABASE_URL=url) for _ in range(2)]
    received = utcnow() - timedelta(days=21)  # three weeks: reminders due and escalation due
    with apps[0].app_context():
        import_customers(session(), DEMO_CUSTOMERS.read_bytes(), apps[0].config["CUSTOMER_NUMBER_PATTERN"])
        session().add_all(AccessRequest(
            customer_number="100001", company="Pharmacie Centrale", first_name="Zoé", last_name=f"Durand {n}",
            email=f"zoe.{n}@pharmacie-centrale.example", language="fr", privacy_consent_at=received,
            assigned_manager_email="manager.west@woundwo.example", created_at=received) for n in range(REQUESTS))
        session().commit()
    barrier, results, failures = threading.Barrier(2), [], []

    def worker(app):
        try:
            with app.app_context():
                barrier.wait()
                results.append(follow_up.follow_up(session(), utcnow(), app.config))
        except Exception as exc:  # a deadlock or a duplicate key would land here
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert sum(result["escalated"] for result in results) == REQUESTS
    with apps[0].app_context():
        keys = Counter(key.rsplit(":", 1)[0] if ":reminder:" in key else key
                       for key in session().scalars(select(OutboxItem.idempotency_key)))
        escalations = session().scalars(select(AuditEvent.request_id).where(AuditEvent.action == "escalated")).all()
    request_ids = range(1, REQUESTS + 1)
    assert sorted(escalations) == list(request_ids), "each request escalated exactly once"
    assert all(keys[f"request:{n}:escalated"] == 1 for n in request_ids)
    reminders = [key for key in keys if ":reminder" in key]
    assert len(reminders) == REQUESTS and all(keys[key] == 1 for key in reminders), "one reminder per request"
