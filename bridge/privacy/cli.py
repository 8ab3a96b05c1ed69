"""`flask --app bridge privacy ...`: a person's data (export, erase) and the worker's privacy round at a chosen instant."""

from __future__ import annotations

import json
from datetime import datetime

import click
from flask import current_app

from bridge.core.addresses import normalize
from bridge.core.db import session
from bridge.core.instants import as_of, now_option
from bridge.delivery.handlers import WORKER_KEYCLOAK
from bridge.keycloak.interface import KeycloakRefused, KeycloakUnavailable
from bridge.privacy import person, rounds

def _address(raw: str) -> str:
    email = normalize(raw)
    if email is None:
        raise click.BadParameter("not an e-mail address", param_hint="EMAIL")
    return email


def _keycloak():
    return current_app.extensions[WORKER_KEYCLOAK]


@click.group("privacy")
def privacy_command() -> None:
    """Personal data: a person's export and erasure, retention and inactive accounts (docs/privacy.md)."""


@privacy_command.command("export")
@click.argument("email")
def privacy_export(email: str) -> None:
    """Print, as JSON, everything the bridge and Keycloak hold about EMAIL."""
    try:
        data = person.export(session(), _keycloak(), _address(email))
    except (KeycloakUnavailable, KeycloakRefused) as exc:
        raise click.ClickException(f"Keycloak could not be asked ({exc}); nothing exported") from exc
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@privacy_command.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def privacy_erase(email: str, yes: bool) -> None:
    """Erase EMAIL from the bridge (refused while the person has access) and say what remains in Keycloak."""
    address = _address(email)
    if not yes:
        click.confirm(f"Erase every personal datum of {address} from the bridge?", abort=True)
    try:
        done = person.erase(session(), _keycloak(), address, current_app.secret_key)
    except person.ErasureRefused as exc:
        raise click.ClickException(f"not erased: {exc}") from exc
    except (KeycloakUnavailable, KeycloakRefused) as exc:
        raise click.ClickException(f"not erased: Keycloak could not be asked whether the person has access ({exc})") from exc
    click.echo(f"erased from the bridge: {done.requests} request(s), {done.mails} e-mail(s), {done.events} audit "
               f"event(s) redacted, {done.sign_ins} sign-in record(s)")
    click.echo("what remains in Keycloak, and why:")
    for line in done.keycloak_remains:
        click.echo(f"- {line}")


@privacy_command.command("run")
@now_option
def privacy_run(moment: datetime | None) -> None:
    """The worker's privacy round once: retention periods, then inactive accounts."""
    now = as_of(moment)
    click.echo(f"as of {now.isoformat()}: {rounds.privacy_round(now)}")
