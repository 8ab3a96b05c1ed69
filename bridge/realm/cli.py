"""`flask --app bridge realm plan|apply`: what differs between realm-export.json and the live realm, and the fix."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app

from bridge.realm import apply as applying
from bridge.realm import source, state
from bridge.realm.admin import RealmAdmin, RealmAdminError
from bridge.realm.diff import Change
from bridge.realm.report import describe

# Exit statuses: 2 for a file or setting the operator must fix (nothing was asked of Keycloak),
# 1 for Keycloak unreachable, refusing, or a change apply does not make.
BAD_INPUT, KEYCLOAK_FAILED = 2, 1

realm_file = click.option("--file", "path", type=click.Path(path_type=Path), default=Path("realm-export.json"),
                          show_default=True, help="The realm file; its ${NAME} placeholders come from the environment.")


@click.group("realm")
def realm_command() -> None:
    """The live Keycloak realm, kept to realm-export.json."""


@realm_command.command("plan")
@realm_file
def realm_plan(path: Path) -> None:
    """Print what differs between the file and the live realm; change nothing."""
    _, desired, admin = _prepared(path)
    for line in describe(_planned(admin, desired)):
        click.echo(line)


@realm_command.command("apply")
@realm_file
def realm_apply(path: Path) -> None:
    """Change the live realm until it matches the file (users, credentials and sessions are never touched)."""
    realm, desired, admin = _prepared(path)
    changes = _planned(admin, desired)
    for line in describe(changes):
        click.echo(line)
    if not changes:
        return
    try:
        applying.apply_and_check(admin, realm, desired, changes)
    except applying.NotTaken as exc:
        _fail(KEYCLOAK_FAILED, f"realm apply: {exc}:\n" + "\n".join(describe(exc.left)))
    except RealmAdminError as exc:
        _fail(KEYCLOAK_FAILED, f"realm apply stopped: {exc}")
    click.echo(f"applied: the live realm {admin.realm!r} matches the file")


def _prepared(path: Path) -> tuple[dict, state.State, RealmAdmin]:
    """The filled file, its parts and the operator's connection, or an exit with what to fix."""
    try:
        realm = source.load(path, os.environ)
        desired = state.desired(realm)
    except source.RealmFileError as exc:
        _fail(BAD_INPUT, f"realm file refused, nothing changed: {exc}")
    config = current_app.config
    if not config["REALM_OPERATOR_CLIENT_SECRET"]:
        _fail(BAD_INPUT, "BRIDGE_REALM_OPERATOR_CLIENT_SECRET is not set: the realm commands run as the operator client "
                         f"{config['REALM_OPERATOR_CLIENT_ID']!r} (docs/operations.md, \"Changing the live realm\")")
    admin = RealmAdmin(config["KEYCLOAK_URL"], realm["realm"], config["REALM_OPERATOR_CLIENT_ID"],
                       config["REALM_OPERATOR_CLIENT_SECRET"])
    try:
        admin.sign_in()
    except RealmAdminError as exc:
        _fail(KEYCLOAK_FAILED, str(exc))
    return realm, desired, admin


def _planned(admin: RealmAdmin, desired: state.State) -> list[Change]:
    try:
        return applying.current_plan(admin, desired)
    except RealmAdminError as exc:
        _fail(KEYCLOAK_FAILED, f"cannot read the live realm: {exc}")


def _fail(status: int, message: str) -> None:
    click.echo(message, err=True)
    raise SystemExit(status)
