"""Command-line entry points: `flask --app bridge <command>`."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click
from flask import Flask, current_app

from bridge import customers, mailer, migrate, outbox, review
from bridge.db import database_url, session
from bridge.models import utcnow


def init_app(app: Flask) -> None:
    """Register the bridge's commands."""
    app.cli.add_command(db_command)
    app.cli.add_command(customers_command)
    app.cli.add_command(worker_command)


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


def outbox_handlers() -> dict:
    """What the worker knows how to perform, by outbox kind."""
    gateway = current_app.extensions["bridge.keycloak"]
    return {
        "mail": mailer.send,
        "provision": lambda payload: review.provision(session(), gateway, payload, utcnow()),
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
        outcomes = outbox.run_due(session(), outbox_handlers(), utcnow(), int(config["OUTBOX_MAX_ATTEMPTS"]))
        if outcomes:
            click.echo(f"outbox: {outcomes}", err=True)
        if once:
            break
        stopping.wait(float(config["WORKER_POLL_SECONDS"]))
