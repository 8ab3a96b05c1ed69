"""The `flask` command's settings: one clear line on bad input, and the dev stack's file beside `make run`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from flask.cli import cli as flask_cli

from bridge import create_app
from bridge.core import settings
from bridge.core.migrate import upgrade
from devstack.settings import REPO_ROOT, write_cli_settings

DEV_SETTINGS = {
    "BRIDGE_ENV": "development", "BRIDGE_SECRET_KEY": "dev-only-secret-key-not-for-production",
    "BRIDGE_PUBLIC_URL": "http://localhost:8000", "BRIDGE_KEYCLOAK_URL": "http://localhost:8080",
    "BRIDGE_KEYCLOAK_CLIENT_SECRET": "dev-bridge-secret", "BRIDGE_MANAGER_CLIENT_SECRET": "dev-manager-secret",
    "BRIDGE_FALLBACK_MANAGER_EMAIL": "b2b-team@woundwo.example", "SMTP_HOST": "not a bridge setting",
}


def without_bridge_settings() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith("BRIDGE_")}


def test_a_malformed_setting_stops_a_cli_command_with_one_line_and_no_stack_trace(tmp_path):
    env = {**without_bridge_settings(), **DEV_SETTINGS, "BRIDGE_KEYCLOAK_TIMEOUT": "abc",
           "BRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite'}"}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "bridge", "activations", "list"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "bridge: invalid settings: BRIDGE_KEYCLOAK_TIMEOUT='abc': Input should be a valid number, "
        "unable to parse string as a number"]
    assert done.stdout == ""


@pytest.fixture
def dev_file(tmp_path, monkeypatch):
    """`.devstack/bridge.env` as `make run` writes it, at a path of the test's own."""
    path = tmp_path / "bridge.env"
    database = tmp_path / "bridge.sqlite"
    upgrade(f"sqlite:///{database}")
    write_cli_settings({**DEV_SETTINGS, "BRIDGE_DATABASE_URL": f"sqlite:///{database}"}, path)
    monkeypatch.setattr(settings, "DEV_SETTINGS_FILE", path)
    for name in [name for name in os.environ if name.startswith("BRIDGE_")]:
        monkeypatch.delenv(name)
    return path


def run_flask(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(flask_cli, ["--app", "bridge", *args], env=env, catch_exceptions=False)


def test_the_flask_command_beside_make_run_reads_its_settings_without_any_export(dev_file):
    result = run_flask("activations", "list")
    assert result.exit_code == 0, result.output
    assert "request" in result.output and "state" in result.output


def test_an_explicit_environment_is_never_mixed_with_the_dev_file(dev_file):
    result = run_flask("activations", "list", env={"BRIDGE_ENV": "production"})
    assert result.exit_code == 1 and "BRIDGE_SECRET_KEY is required" in result.output


def test_the_app_server_never_reads_the_dev_file(dev_file):
    with pytest.raises(settings.ConfigurationError) as error:
        create_app()  # as gunicorn calls it: no `flask` command around it
    assert "BRIDGE_SECRET_KEY is required" in error.value.message


def test_the_dev_file_lives_where_make_run_writes_it():
    assert settings.DEV_SETTINGS_FILE == REPO_ROOT / ".devstack" / "bridge.env"
