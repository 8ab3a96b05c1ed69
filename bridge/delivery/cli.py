"""`flask --app bridge worker` and `flask --app bridge activations ...`: the outbox and the 04:00 batch."""

from __future__ import annotations

import signal
import threading
import time
from datetime import datetime, timezone

import click
from flask import current_app

from bridge.core.db import session
from bridge.core.models import OutboxKind, utcnow
from bridge.delivery import activation, follow_up
from bridge.delivery.handlers import run_due


# Rounds of other features the worker runs with the follow-up: callables taking `now`, set by create_app.
PERIODIC = "bridge.worker_periodic"
FOLLOW_UP_SECONDS = 600  # reminders and expiry count in days: looking every ten minutes is plenty


@click.command("worker")
@click.option("--once", is_flag=True, help="Perform what is due now, then exit.")
def worker_command(once: bool) -> None:
    """Deliver the outbox: e-mails and Keycloak changes, retried with backoff; stops on SIGTERM."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    click.echo("worker started", err=True)
    config, next_follow_up = current_app.config, 0.0
    while not stopping.is_set():
        if time.monotonic() >= next_follow_up:  # pending requests that wait too long: reminders, expiry
            follow_up.follow_up(session(), utcnow(), config)
            for periodic in current_app.extensions.get(PERIODIC, ()):  # e.g. privacy (registered by create_app)
                periodic(utcnow())
            next_follow_up = time.monotonic() + FOLLOW_UP_SECONDS
        outcomes = run_due(utcnow())
        if outcomes:
            click.echo(f"outbox: {outcomes}", err=True)
        if once:
            break
        if not outcomes:  # pause only when idle: a backlog (the 04:00 batch) is worked off without pauses
            stopping.wait(config["WORKER_POLL_SECONDS"])


@click.group("activations")
def activations_command() -> None:
    """The next-day 04:00 activation e-mails."""


@activations_command.command("list")
def activations_list() -> None:
    """Approved requests and their activation: scheduled, due, sent or failed."""
    now = utcnow()
    click.echo(f"{'request':>7}  {'state':<9}  {'due (UTC)':<16}  {'sent (UTC)':<16}  attempts  e-mail")
    for request, item in activation.overview(session()):
        sent = f"{request.activation_sent_at:%Y-%m-%d %H:%M}" if request.activation_sent_at else "-"
        click.echo(f"{request.id:>7}  {activation.state(request, item, now):<9}  "
                   f"{request.activation_due_at:%Y-%m-%d %H:%M}  {sent:<16}  {item.attempts if item else 0:>8}  "
                   f"{request.email}")


@activations_command.command("send-due")
@click.option("--now", "moment", type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z",
                                                             "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]),
              help="Run the batch as of this instant (ISO 8601; without a zone: UTC), e.g. for a demo.")
def activations_send_due(moment: datetime | None) -> None:
    """Provision and send every activation due at --now (default: now), the longest due first."""
    now = utcnow() if moment is None else (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))
    total: dict[str, int] = {}
    while outcomes := run_due(now, (OutboxKind.PROVISION, OutboxKind.ACTIVATION)):
        for status, count in outcomes.items():
            total[status] = total.get(status, 0) + count
    click.echo(f"as of {now.isoformat()}: {total or 'nothing due'}")
