"""`flask --app bridge customers import FILE`: the ERP's customer directory into the bridge."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from bridge.core.db import session
from bridge.directory import customers


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
