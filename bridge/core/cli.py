"""`flask --app bridge db upgrade`: the database schema."""

from __future__ import annotations

import click
from flask import current_app

from bridge.core import migrate
from bridge.core.db import database_url


@click.group("db")
def db_command() -> None:
    """Database schema."""


@db_command.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations up to the newest."""
    try:
        migrate.upgrade(database_url(current_app))
    except migrate.SchemaFromAnotherVersion as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("database is up to date")
