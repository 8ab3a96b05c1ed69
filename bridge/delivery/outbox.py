"""The outbox: side effects (e-mails, Keycloak changes) recorded with the decision, performed after commit.

A row is claimed (status "sending", claimed_at) in its own committed transaction before it is
performed, so two workers never perform the same row. FOR UPDATE SKIP LOCKED keeps PostgreSQL
workers from waiting on each other; the conditional UPDATE makes the claim safe on SQLite too.
A worker that dies mid-row leaves a stale claim, which is taken again after the claim lease
(BRIDGE_OUTBOX_CLAIM_LEASE_SECONDS, 10 minutes): a crash at the wrong instant can repeat one side
effect, never lose it. Taking a stale claim counts the dead worker's try as an attempt, so a handler
can tell a first attempt (attempts 0) from one after a crash or a failure. A repeated e-mail keeps its Message-ID (derived from the row's idempotency key),
so receivers can tell it is the same message.

Two clocks: `now` says what is due (a chosen instant for `activations send-due --now`), while claims
and their lease always run on the real clock, so a batch run "as of tomorrow" never takes a row that a
live worker holds.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.orm import Session

from bridge.core.models import OutboxItem, OutboxKind, OutboxStatus, utcnow
from bridge.core.settings import Settings
from bridge.delivery import doorbell
from bridge.delivery.mailer import Mail, PermanentMailError, TransientMailError
from bridge.keycloak.interface import KeycloakRefused, KeycloakUnavailable

log = logging.getLogger(__name__)
# The default of BRIDGE_OUTBOX_CLAIM_LEASE_SECONDS, for callers that pass none (tests).
CLAIM_LEASE = timedelta(seconds=Settings.model_fields["outbox_claim_lease_seconds"].default)
MAX_BACKOFF = timedelta(hours=1)


# Retrying cannot fix a refused recipient or a Keycloak 4xx; it does fix an outage.
PERMANENT_ERRORS: tuple[type[BaseException], ...] = (PermanentMailError, KeycloakRefused)
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (TransientMailError, KeycloakUnavailable)


def enqueue(session: Session, kind: OutboxKind, payload: dict, idempotency_key: str) -> OutboxItem:
    """Record a side effect in the caller's transaction; it happens after the caller commits."""
    item = OutboxItem(kind=kind, payload=payload, idempotency_key=idempotency_key)
    session.add(item)
    doorbell.ring(session)  # an idle worker starts when the caller commits, not at its next poll
    return item


def enqueue_mail(session: Session, mail: Mail, idempotency_key: str) -> OutboxItem:
    """Record an e-mail; every delivery of it carries the Message-ID its key gives (bridge/delivery/mailer.py)."""
    return enqueue(session, OutboxKind.MAIL, {**mail.as_payload(), "message_key": idempotency_key}, idempotency_key)


def backoff(attempts: int) -> timedelta:
    """Delay before the next attempt: 30 s, 1 min, 2 min, … at most an hour."""
    return min(timedelta(seconds=30) * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def due(now: datetime, stale_before: datetime):
    """Pending rows due at `now`, and rows whose claim was taken before `stale_before` (its worker died)."""
    return or_(
        and_(OutboxItem.status == OutboxStatus.PENDING, OutboxItem.next_attempt_at <= now),
        and_(OutboxItem.status == OutboxStatus.SENDING, OutboxItem.claimed_at < stale_before),
    )


def claim_due(session: Session, now: datetime, limit: int = 50, kinds: tuple[OutboxKind, ...] | None = None,
              lease: timedelta = CLAIM_LEASE, clock: Callable[[], datetime] = utcnow) -> list[int]:
    """Claim up to `limit` due rows, the longest due first, and commit the claim; return their ids."""
    claimed_at = clock()
    query = select(OutboxItem.id).where(due(now, claimed_at - lease)) \
        .order_by(OutboxItem.next_attempt_at, OutboxItem.id).limit(limit)
    if kinds:
        query = query.where(OutboxItem.kind.in_(kinds))
    candidates = session.scalars(query.with_for_update(skip_locked=True)).all()
    claimed = []
    for item_id in candidates:
        taken = session.execute(
            update(OutboxItem).where(OutboxItem.id == item_id, due(now, claimed_at - lease))
            .values(status=OutboxStatus.SENDING, claimed_at=claimed_at,
                    attempts=case((OutboxItem.status == OutboxStatus.SENDING, OutboxItem.attempts + 1),
                                  else_=OutboxItem.attempts))
        )
        if taken.rowcount == 1:
            claimed.append(item_id)
    session.commit()
    return claimed


Handlers = dict[OutboxKind, Callable[[dict], None]]
# Called with the payload and the last error when a row fails for good, in the transaction that records it.
FailureHandlers = dict[OutboxKind, Callable[[dict, BaseException], None]]


def perform(session: Session, item_id: int, handlers: Handlers, now: datetime, max_attempts: int,
            on_failure: FailureHandlers | None = None) -> OutboxStatus:
    """Perform one claimed row and record the outcome; return the new status."""
    item = session.get(OutboxItem, item_id)
    kind, payload = item.kind, item.payload
    try:
        # No flush until the commit below: a flush opens SQLite's write transaction, which would then
        # stay open during the handler's Keycloak or SMTP calls and stall every other writer.
        with session.no_autoflush:
            handlers[kind](payload)
    except Exception as exc:  # noqa: BLE001 - a bug in one handler must not stop the worker
        if not isinstance(exc, PERMANENT_ERRORS + TRANSIENT_ERRORS):
            log.exception("outbox item %s (%s): unexpected error, retried like a transient one", item_id, kind)
        # What the failed handler changed in the database is discarded; the claim was committed before.
        session.rollback()
        item = session.get(OutboxItem, item_id)
        item.attempts += 1
        item.last_error = f"{'permanent' if isinstance(exc, PERMANENT_ERRORS) else 'transient'}: {exc}"
        if isinstance(exc, PERMANENT_ERRORS) or item.attempts >= max_attempts:
            item.status = OutboxStatus.FAILED
            if on_failure and kind in on_failure:
                on_failure[kind](payload, exc)
        else:
            item.status, item.next_attempt_at = OutboxStatus.PENDING, now + backoff(item.attempts)
    else:
        item.attempts += 1
        item.status, item.done_at, item.last_error = OutboxStatus.SENT, now, ""
    session.commit()
    log.info("outbox item %s (%s): %s after %s attempt(s)", item_id, kind, item.status, item.attempts)
    return item.status


def run_due(session: Session, handlers: Handlers, now: datetime, max_attempts: int, limit: int = 50,
            lease: timedelta = CLAIM_LEASE, clock: Callable[[], datetime] = utcnow,
            on_failure: FailureHandlers | None = None) -> dict[str, int]:
    """Claim and perform what is due at `now`; return counts by outcome."""
    outcomes: dict[str, int] = {}
    for item_id in claim_due(session, now, limit, tuple(handlers), lease, clock):
        status = str(perform(session, item_id, handlers, now, max_attempts, on_failure))
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


def retry(session: Session, item_id: int, now: datetime) -> bool:
    """Put a failed row back in the queue (an admin's retry button)."""
    result = session.execute(update(OutboxItem).where(OutboxItem.id == item_id, OutboxItem.status == OutboxStatus.FAILED)
                             .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now))
    session.commit()
    return result.rowcount == 1
