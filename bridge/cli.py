"""Command-line entry points: `flask --app bridge <command>`."""

from __future__ import annotations

import click
from flask import Flask, current_app

from bridge import migrate
from bridge.db import database_url


def init_app(app: Flask) -> None:
    """Register the bridge's commands."""
    app.cli.add_command(db_command)


@click.group("db")
def db_command() -> None:
    """Database schema."""


@db_command.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations up to the newest."""
    migrate.upgrade(database_url(current_app))
    click.echo("database is up to date")
