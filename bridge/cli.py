"""Command-line entry points: `flask --app bridge <command>`."""

from __future__ import annotations

import signal
import threading
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import Flask, current_app

from bridge import activation, customers, keycloak_gateway, mailer, migrate, outbox, review
from bridge.db import database_url, session
from bridge.models import utcnow


def init_app(app: Flask) -> None:
    """Register the bridge's commands."""
    app.cli.add_command(db_command)
    app.cli.add_command(customers_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(activations_command)


@click.group("db")
def db_command() -> None:
    """Database schema."""


@db_command.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations up to the newest."""
    migrate.upgrade(database_url(current_app))
    click.echo("database is up to date")


@click.group("customers")
def customers_command() -> None:
    """The customer directory."""


@customers_command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report, without changing the directory.")
def customers_import(file: Path, dry_run: bool) -> None:
    """Upsert the directory from the ERP's CSV export (UTF-8, `;` or `,`)."""
    data = file.read_bytes()
    try:
        with click.progressbar(length=max(data.count(b"\n"), 1), label="importing", file=click.get_text_stream("stderr")) as bar:
            report = customers.import_customers(session(), data, current_app.config["CUSTOMER_NUMBER_PATTERN"],
                                                dry_run=dry_run, progress=bar.update)
    except customers.CsvFormatError as exc:
        raise click.ClickException(str(exc)) from exc
    prefix = "dry run, nothing written: " if dry_run else ""
    click.echo(f"{prefix}{report.read} rows read, {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged, {len(report.rejected)} rejected, "
               f"{report.without_manager} without a manager (routed to the fallback address)")
    for line, reason in report.rejected:
        click.echo(f"  line {line}: {reason}")
    if report.rejected:
        # Valid rows are imported all the same; the exit status tells a scheduler to look at the report.
        raise SystemExit(1)


def outbox_handlers(now: datetime) -> dict:
    """What the worker knows how to perform, by outbox kind, as of `now`."""
    if "bridge.worker_keycloak" not in current_app.extensions:
        # Nobody waits on the worker's calls, so they may take longer than a page's: slow is not down.
        current_app.extensions["bridge.worker_keycloak"] = keycloak_gateway.from_config(
            current_app.config, current_app.config["WORKER_KEYCLOAK_TIMEOUT"])
    gateway = current_app.extensions["bridge.worker_keycloak"]
    return {
        "mail": mailer.send,
        "provision": lambda payload: review.provision(session(), gateway, payload, now),
        "activation": lambda payload: activation.send(session(), gateway, payload, now),
    }


@click.command("worker")
@click.option("--once", is_flag=True, help="Perform what is due now, then exit.")
def worker_command(once: bool) -> None:
    """Deliver the outbox: e-mails and Keycloak changes, retried with backoff; stops on SIGTERM."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    config = current_app.config
    click.echo("worker started", err=True)
    while not stopping.is_set():
        now = utcnow()
        outcomes = outbox.run_due(session(), outbox_handlers(now), now, int(config["OUTBOX_MAX_ATTEMPTS"]))
        if outcomes:
            click.echo(f"outbox: {outcomes}", err=True)
        if once:
            break
        if not outcomes:  # pause only when idle: a backlog (the 04:00 batch) is worked off without pauses
            stopping.wait(float(config["WORKER_POLL_SECONDS"]))


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
    handlers = {kind: handler for kind, handler in outbox_handlers(now).items() if kind in ("provision", "activation")}
    total: dict[str, int] = {}
    while outcomes := outbox.run_due(session(), handlers, now, int(current_app.config["OUTBOX_MAX_ATTEMPTS"])):
        for status, count in outcomes.items():
            total[status] = total.get(status, 0) + count
    click.echo(f"as of {now.isoformat()}: {total or 'nothing due'}")
