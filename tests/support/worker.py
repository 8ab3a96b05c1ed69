"""Running the outbox worker's work in-process, as of a chosen instant."""

from __future__ import annotations

from bridge.delivery import outbox
from bridge.delivery.handlers import outbox_handlers
from bridge.core.db import session
from bridge.core.models import utcnow


def run_outbox(app, now=None, kinds: tuple[str, ...] | None = None, clock=utcnow) -> dict[str, int]:
    """One pass of `flask worker` at `now` (default: now), claims on `clock`; return counts by outcome."""
    now = now or utcnow()
    with app.app_context():
        handlers = {kind: handler for kind, handler in outbox_handlers(now).items() if not kinds or kind in kinds}
        return outbox.run_due(session(), handlers, now, app.config["OUTBOX_MAX_ATTEMPTS"], clock=clock)
