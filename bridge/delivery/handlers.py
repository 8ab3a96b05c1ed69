"""What the worker knows how to perform, by outbox kind."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from flask import current_app

from bridge.core.db import session
from bridge.core.models import OutboxKind
from bridge.delivery import activation, mailer, provisioning

# The worker's Keycloak: nobody waits on its calls, so they may take longer than a page's (slow is not down).
WORKER_KEYCLOAK = "bridge.worker_keycloak"


def outbox_handlers(now: datetime) -> dict[OutboxKind, Callable[[dict], None]]:
    """The handler of each outbox kind, as of `now` (inside the app context)."""
    directory, broadcast = current_app.extensions[WORKER_KEYCLOAK], current_app.extensions["bridge.broadcast"]
    return {
        OutboxKind.MAIL: mailer.send,
        OutboxKind.PROVISION: lambda payload: provisioning.provision(session(), directory, broadcast, payload, now),
        OutboxKind.ACTIVATION: lambda payload: activation.send(session(), directory, payload, now),
    }
