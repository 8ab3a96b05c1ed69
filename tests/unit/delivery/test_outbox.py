"""Outbox rules: backoff, claiming, retries and permanent failures, on an in-memory database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from bridge.core.models import OutboxItem, utcnow
from bridge.delivery import outbox
from bridge.delivery.mailer import PermanentMailError, TransientMailError

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)


def add(db, key="k1", kind="mail"):
    item = outbox.enqueue(db, kind, {"to": "a@b.de"}, key)
    item.next_attempt_at = NOW
    db.commit()
    return item.id


@pytest.mark.parametrize("attempts, delay", [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (20, 3600)])
def test_backoff_doubles_up_to_an_hour(attempts, delay):
    assert outbox.backoff(attempts) == timedelta(seconds=delay)


def test_successful_item_is_sent_once(db):
    add(db)
    calls = []
    assert outbox.run_due(db, {"mail": calls.append}, NOW, 8) == {"sent": 1}
    assert outbox.run_due(db, {"mail": calls.append}, NOW + timedelta(days=1), 8) == {}
    assert len(calls) == 1


def test_transient_failure_is_retried_after_backoff(db):
    item_id = add(db)

    def down(payload):
        raise TransientMailError("connection refused")

    assert outbox.run_due(db, {"mail": down}, NOW, 8) == {"pending": 1}
    assert outbox.run_due(db, {"mail": down}, NOW + timedelta(seconds=29), 8) == {}
    item = db.get(OutboxItem, item_id)
    assert item.next_attempt_at == NOW + timedelta(seconds=30) and "connection refused" in item.last_error


def test_after_max_attempts_the_item_is_failed_and_retry_requeues_it(db):
    item_id = add(db)

    def down(payload):
        raise TransientMailError("still down")

    moment = NOW
    for _ in range(3):
        outbox.run_due(db, {"mail": down}, moment, 3)
        moment += timedelta(hours=2)
    assert db.get(OutboxItem, item_id).status == "failed"
    assert outbox.retry(db, item_id, moment)
    assert outbox.run_due(db, {"mail": lambda p: None}, moment, 3) == {"sent": 1}


def test_permanent_failure_is_not_retried(db):
    item_id = add(db)

    def refused(payload):
        raise PermanentMailError("recipient refused")

    assert outbox.run_due(db, {"mail": refused}, NOW, 8) == {"failed": 1}
    assert db.get(OutboxItem, item_id).attempts == 1


def test_a_claimed_row_is_not_claimed_again_until_its_lease_ends(db):
    add(db)
    assert outbox.claim_due(db, NOW, 10, clock=lambda: NOW) != []
    assert outbox.claim_due(db, NOW + timedelta(minutes=5), 10, clock=lambda: NOW + timedelta(minutes=5)) == []
    later = NOW + outbox.CLAIM_LEASE + timedelta(seconds=1)
    [item_id] = outbox.claim_due(db, later, 10, clock=lambda: later)
    assert db.get(OutboxItem, item_id).attempts == 1, "the dead worker's try counts as an attempt"


def test_only_kinds_with_a_handler_are_claimed(db):
    add(db, "k1", "mail")
    add(db, "k2", "provision")
    assert outbox.run_due(db, {"mail": lambda p: None}, NOW, 8) == {"sent": 1}
    assert db.get(OutboxItem, 2).status == "pending"


def test_idempotency_key_is_unique(db):
    add(db, "same")
    outbox.enqueue(db, "mail", {}, "same")
    with pytest.raises(Exception):
        db.commit()


def test_an_unexpected_error_is_retried_and_does_not_stop_the_worker(db):
    item_id = add(db)

    def buggy(payload):
        raise KeyError("missing")

    assert outbox.run_due(db, {"mail": buggy}, NOW, 8) == {"pending": 1}
    item = db.get(OutboxItem, item_id)
    assert item.attempts == 1 and item.last_error.startswith("transient") and "missing" in item.last_error


def test_what_a_failing_handler_wrote_is_rolled_back(db):
    item_id = add(db)

    def half_done(payload):
        db.get(OutboxItem, item_id).payload = {"to": "changed@b.de"}
        raise TransientMailError("down")

    outbox.run_due(db, {"mail": half_done}, NOW, 8)
    assert db.get(OutboxItem, item_id).payload == {"to": "a@b.de"}


def test_a_batch_run_as_of_tomorrow_leaves_a_live_workers_claim_alone(db):
    add(db)
    now = utcnow()
    with db.begin_nested():
        db.execute(update(OutboxItem).values(next_attempt_at=now))
    db.commit()
    assert outbox.claim_due(db, now, 10) != []  # a live worker holds the row
    # `activations send-due --now <tomorrow>`: tomorrow decides what is due; the lease runs on the real clock.
    assert outbox.run_due(db, {"mail": lambda p: None}, now + timedelta(days=1), 8) == {}


def test_every_delivery_of_one_outbox_mail_carries_the_same_message_id(app, mailbox):
    from bridge.core.db import session
    from bridge.delivery import mailer

    with app.app_context():
        for key in ("request:1:receipt", "request:2:receipt"):
            outbox.enqueue_mail(session(), mailer.Mail("a@b.example", "S", "text", "<p>html</p>"), key)
        session().commit()
        payloads = [item.payload for item in session().scalars(select(OutboxItem).order_by(OutboxItem.id))]
        # The worker died after the SMTP server took the first one, before the commit: it is sent again.
        for payload in (payloads[0], payloads[0], payloads[1]):
            mailer.send(payload)
    first, again, other = (message["Message-ID"] for message in mailbox.messages)
    assert first == again and first != other
    assert first.startswith("<") and first.endswith("@woundwo.com>")
