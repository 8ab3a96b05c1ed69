"""What the worker knows how to perform, by outbox kind, and what it does when a kind fails for good; its
time-dependent step that needs Keycloak (the end of suspended customers' grace periods); and how a part of a
periodic round fails without stopping the worker."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable

from flask import current_app
from sqlalchemy.exc import DBAPIError

from bridge.core.db import session
from bridge.core.models import OutboxKind, utcnow
from bridge.delivery import activation, directory_changes, mailer, outbox, provisioning
from bridge.keycloak.interface import KeycloakRefused, KeycloakUnavailable

log = logging.getLogger(__name__)

# The worker's Keycloak: nobody waits on its calls, so they may take longer than a page's (slow is not down).
WORKER_KEYCLOAK = "bridge.worker_keycloak"


def outbox_handlers(now: datetime) -> outbox.Handlers:
    """The handler of each outbox kind, as of `now` (inside the app context)."""
    directory, broadcast = current_app.extensions[WORKER_KEYCLOAK], current_app.extensions["bridge.broadcast"]
    return {
        OutboxKind.MAIL: mailer.send,
        OutboxKind.PROVISION: lambda payload: provisioning.provision(session(), directory, broadcast, payload, now),
        OutboxKind.ACTIVATION: lambda payload: activation.send(session(), directory, payload, now),
    }


def failure_handlers(now: datetime) -> outbox.FailureHandlers:
    """What follows a final failure: a request whose account could not be created says so to its manager."""
    public_url = current_app.config["PUBLIC_URL"]
    return {OutboxKind.PROVISION: lambda payload, error: provisioning.failed(session(), payload, error, now, public_url)}


def run_due(now: datetime, kinds: tuple[OutboxKind, ...] | None = None,
            clock: Callable[[], datetime] = utcnow) -> dict[str, int]:
    """One pass of the worker as of `now` (inside the app context), optionally only some kinds."""
    config = current_app.config
    handlers = {kind: handler for kind, handler in outbox_handlers(now).items() if not kinds or kind in kinds}
    return outbox.run_due(session(), handlers, now, config["OUTBOX_MAX_ATTEMPTS"],
                          lease=timedelta(seconds=config["OUTBOX_CLAIM_LEASE_SECONDS"]), clock=clock,
                          on_failure=failure_handlers(now))


def end_access_after_grace(now: datetime) -> int:
    """The suspended customers whose grace period is over at `now` lose their people's access (app context)."""
    return directory_changes.end_access_after_grace(session(), current_app.extensions[WORKER_KEYCLOAK],
                                                    current_app.extensions["bridge.broadcast"], now,
                                                    current_app.config["CUSTOMER_GRACE_DAYS"])


def guarded(part: str, run: Callable[[], dict[str, int]]) -> dict[str, int]:
    """Run one part of a periodic round (inside the app context); when it fails it waits for the next round and
    the worker goes on: a Keycloak that does not answer, or another worker writing the same rows at the same
    moment (the unique keys refuse the second; a lock conflict on PostgreSQL)."""
    try:
        return run()
    except (KeycloakUnavailable, KeycloakRefused, DBAPIError) as exc:
        session().rollback()
        # The type only: a database error's text carries the statement's parameters (addresses).
        log.warning("%s skipped until the next round (%s)", part, type(exc).__name__)
        return {}
