"""Running the outbox worker's work in-process, as of a chosen instant."""

from __future__ import annotations

from bridge.core.models import utcnow
from bridge.delivery.handlers import run_due


def run_outbox(app, now=None, kinds: tuple[str, ...] | None = None, clock=utcnow) -> dict[str, int]:
    """One pass of `flask worker` at `now` (default: now), claims on `clock`; return counts by outcome."""
    with app.app_context():
        return run_due(now or utcnow(), kinds, clock)
