"""`flask --app bridge worker`, `activations ...` and `requests follow-up`: the outbox, the 04:00 batch, and
the requests that wait too long."""

from __future__ import annotations

import signal
import threading
import time
from datetime import datetime

import click
from flask import current_app

from bridge.core.instants import as_of, now_option
from bridge.core.db import session
from bridge.core.models import OutboxKind, utcnow
from bridge.delivery import activation, follow_up
from bridge.delivery.doorbell import Doorbell
from bridge.delivery.handlers import WORKER_KEYCLOAK, end_access_after_grace, run_due


# Rounds of other features the worker runs with the follow-up: callables taking `now`, set by create_app.
PERIODIC = "bridge.worker_periodic"
FOLLOW_UP_SECONDS = 600  # reminders, expiry and grace periods count in days: looking every ten minutes is plenty


def _rounds(app) -> None:
    """The periodic rounds: reminders, escalation and expiry, suspended customers' grace periods, and the rounds
    other features register (e.g. privacy, by create_app)."""
    with app.app_context():
        follow_up.follow_up(session(), utcnow(), app.config)
        end_access_after_grace(utcnow())
        for periodic in app.extensions.get(PERIODIC, ()):
            periodic(utcnow())


@click.command("worker")
@click.option("--once", is_flag=True, help="Perform what is due now, then exit.")
def worker_command(once: bool) -> None:
    """Deliver the outbox: e-mails and Keycloak changes, retried with backoff; stops on SIGTERM."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    click.echo("worker started", err=True)
    app, next_follow_up, rounds = current_app._get_current_object(), 0.0, None
    bell = Doorbell(app.extensions["bridge.engine"])  # PostgreSQL: a commit that queues work wakes an idle worker
    while not stopping.is_set():
        outcomes = run_due(utcnow())  # first what people wait for: the rounds may take a while
        if outcomes:
            click.echo(f"outbox: {outcomes}", err=True)
        if once:
            _rounds(app)
            if outcomes := run_due(utcnow()):  # what the rounds queued (reminders, notices)
                click.echo(f"outbox: {outcomes}", err=True)
            break
        if time.monotonic() >= next_follow_up and not (rounds and rounds.is_alive()):
            # Beside the deliveries, not before them, and never in the way of a SIGTERM: a round that is cut off
            # when the process ends leaves nothing half done (each step commits on its own and is idempotent).
            rounds = threading.Thread(target=_rounds, args=(app,), daemon=True, name="bridge-rounds")
            rounds.start()
            next_follow_up = time.monotonic() + FOLLOW_UP_SECONDS
        if not outcomes:  # pause only when idle: a backlog (the 04:00 batch) is worked off without pauses
            bell.wait(app.config["WORKER_POLL_SECONDS"], stopping)


@click.group("requests")
def requests_command() -> None:
    """Pending access requests that wait: reminders, escalation to a deputy, expiry."""


@requests_command.command("follow-up")
@now_option
def requests_follow_up(moment: datetime | None) -> None:
    """Queue what is due at --now (default: now), as the worker does every ten minutes; the worker (or
    `worker --once`) then sends the e-mails."""
    now = as_of(moment)
    click.echo(f"as of {now.isoformat()}: {follow_up.follow_up(session(), now, current_app.config)}")


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
@now_option
def activations_send_due(moment: datetime | None) -> None:
    """Provision and send every activation due at --now (default: now), the longest due first."""
    now = as_of(moment)
    total: dict[str, int] = {}
    while outcomes := run_due(now, (OutboxKind.PROVISION, OutboxKind.ACTIVATION)):
        for status, count in outcomes.items():
            total[status] = total.get(status, 0) + count
    click.echo(f"as of {now.isoformat()}: {total or 'nothing due'}")


@activations_command.command("after-restore")
@now_option
def activations_after_restore(moment: datetime | None) -> None:
    """Once after restoring the database from a dump, before the worker: activations due by --now that the
    dump does not record as sent are recorded as sent if Keycloak's admin events show them, else held."""
    outcome = activation.after_restore(session(), current_app.extensions[WORKER_KEYCLOAK], as_of(moment))
    click.echo(f"{len(outcome['sent'])} activation(s) Keycloak had already sent, now recorded as sent: "
               f"{_ids(outcome['sent'])}")
    click.echo(f"{len(outcome['held'])} activation(s) held (they may have gone out after the dump; check the mail "
               f"relay's log, then `activations release` those it does not show): {_ids(outcome['held'])}")


@activations_command.command("release")
@click.argument("request_ids", nargs=-1, type=int)
@click.option("--all", "everything", is_flag=True, help="Release every held activation.")
def activations_release(request_ids: tuple[int, ...], everything: bool) -> None:
    """Let held activations go out (the worker still asks Keycloak first whether one was sent)."""
    if not request_ids and not everything:
        raise click.UsageError("name the requests whose activation to release, or --all")
    released = activation.release(session(), None if everything else list(request_ids), utcnow())
    click.echo(f"{released} activation(s) released")


def _ids(request_ids: list[int]) -> str:
    return ", ".join(f"request {request_id}" for request_id in request_ids) or "none"
