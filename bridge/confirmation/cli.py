"""`flask --app bridge confirmations ...`: start a yearly confirmation now, and its steps at a chosen instant."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from sqlalchemy import func, select

from bridge.confirmation import rounds
from bridge.core.db import session
from bridge.core.instants import as_of, now_option
from bridge.core.models import Confirmation
from bridge.delivery.handlers import WORKER_KEYCLOAK


@click.group("confirmations")
def confirmations_command() -> None:
    """The yearly confirmation of who still works at each customer (docs/operations.md)."""


@confirmations_command.command("start")
@now_option
def confirmations_start(moment: datetime | None) -> None:
    """Start a round at --now (default: now) without waiting for BRIDGE_CONFIRMATION_DAY; the worker sends the
    e-mails."""
    now = as_of(moment)
    try:
        started = rounds.start(session(), current_app.extensions[WORKER_KEYCLOAK], f"operator:{now.isoformat()}",
                               now, current_app.config)
    except rounds.RoundRunning as exc:
        raise click.ClickException(f"the round started on {exc.args[0]:%Y-%m-%d} is still running: a new one can "
                                   "start once its regional managers were told") from exc
    lists = session().scalar(select(func.count(Confirmation.id)).where(Confirmation.round_id == started.id))
    click.echo(f"as of {now.isoformat()}: round {started.id} started, {lists} customer lists")


@confirmations_command.command("follow-up")
@now_option
def confirmations_follow_up(moment: datetime | None) -> None:
    """What the worker does every ten minutes, at --now (default: now): this year's round if its day has come,
    the reminder, the regional managers told; then `worker --once` sends the e-mails."""
    now, app = as_of(moment), current_app
    done = rounds.step(session(), app.extensions[WORKER_KEYCLOAK], app.extensions["bridge.broadcast"], now, app.config)
    click.echo(f"as of {now.isoformat()}: {done}")
