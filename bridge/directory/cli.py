"""`flask --app bridge customers import FILE` and `customers end-access`: the ERP's customer directory into
the bridge, and what its changes mean for requests and access."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import current_app

from bridge.core.db import session
from bridge.core.instants import as_of, now_option
from bridge.delivery.handlers import end_access_after_grace
from bridge.directory import customers


@click.group("customers")
def customers_command() -> None:
    """The customer directory."""


@customers_command.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report what would change, without changing anything.")
@click.option("--full", is_flag=True, help="The file is the whole directory: customers missing from it are suspended.")
def customers_import(file: Path, dry_run: bool, full: bool) -> None:
    """Upsert the directory from the ERP's CSV export (UTF-8, `;` or `,`); suspend blocked customers (and,
    with --full, missing ones), lift the suspension of those back, move waiting requests to a new manager."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {file}: {exc.strerror or exc}") from exc
    config = current_app.config
    try:
        with click.progressbar(length=max(data.count(b"\n"), 1), label="importing", file=click.get_text_stream("stderr")) as bar:
            report = customers.import_customers(session(), data, config["CUSTOMER_NUMBER_PATTERN"], dry_run=dry_run,
                                                progress=bar.update, full=full, config=config)
    except customers.CsvFormatError as exc:
        raise click.ClickException(f"{exc}; nothing was changed") from exc
    prefix = "dry run, nothing written: " if dry_run else ""
    click.echo(f"{prefix}{report.read} rows read, {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged, {len(report.rejected)} rejected, "
               f"{report.without_manager} without a manager (routed to the fallback address)")
    for line, reason in report.rejected:
        click.echo(f"  line {line}: {reason}")
    grace = config["CUSTOMER_GRACE_DAYS"]
    for number, why, held, with_access in report.suspended:
        click.echo(f"  customer {number} suspended ({why}): {held} pending request(s) on hold, {with_access} "
                   f"approved person(s) keep access for {grace} days, the manager is told")
    for number, released in report.lifted:
        click.echo(f"  customer {number} back in the directory: suspension lifted, {released} request(s) pending again")
    for number, manager, moved in report.moved:
        click.echo(f"  customer {number} has a new manager: {moved} waiting request(s) reassigned, the new manager is told")
    if report.rejected:
        # Valid rows are imported all the same; the exit status tells a scheduler to look at the report.
        raise SystemExit(1)


@customers_command.command("end-access")
@now_option
def customers_end_access(moment: datetime | None) -> None:
    """End the access of the people of customers suspended longer than the grace period, as of --now (the
    worker does this every ten minutes)."""
    now = as_of(moment)
    click.echo(f"as of {now.isoformat()}: access ended for {end_access_after_grace(now)} person(s)")
