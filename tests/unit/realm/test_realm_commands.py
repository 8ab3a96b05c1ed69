"""`flask --app bridge realm plan|apply` refuse bad input with exit status 2 before asking Keycloak anything."""

from __future__ import annotations

import pytest
import responses

KEYCLOAK = "http://keycloak.test"


@pytest.fixture
def run(make_bridge, monkeypatch):
    def invoke(*args, secret="operator-secret", **env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        bridge = make_bridge(REALM_OPERATOR_CLIENT_SECRET=secret)
        # As `flask --app bridge realm ...` runs it; any request to Keycloak fails the test: none is registered.
        with bridge.app_context(), responses.RequestsMock():
            return bridge.test_cli_runner().invoke(args=["realm", *args])
    return invoke


@pytest.mark.parametrize("command", ["plan", "apply"])
@pytest.mark.parametrize("text, message", [
    ('{"realm": "woundwo",', "not valid JSON"),
    ('{"enabled": true}', 'no name'),
    ('{"realm": "woundwo", "smtpServer": {"host": "${REALM_TEST_SMTP_HOST}"}}', "REALM_TEST_SMTP_HOST"),
], ids=["invalid-json", "no-realm-name", "placeholder-without-value"])
def test_a_malformed_realm_file_is_refused_and_keycloak_is_not_asked(run, tmp_path, command, text, message):
    path = tmp_path / "realm.json"
    path.write_text(text)
    result = run(command, "--file", str(path))
    assert result.exit_code == 2
    assert "realm file refused, nothing changed" in result.stderr and message in result.stderr


def test_a_missing_file_is_refused(run, tmp_path):
    result = run("plan", "--file", str(tmp_path / "nowhere.json"))
    assert result.exit_code == 2 and "cannot read it" in result.stderr


def test_without_the_operator_secret_the_command_says_which_variable(run, tmp_path):
    path = tmp_path / "realm.json"
    path.write_text('{"realm": "woundwo"}')
    result = run("apply", "--file", str(path), secret="")
    assert result.exit_code == 2 and "BRIDGE_REALM_OPERATOR_CLIENT_SECRET is not set" in result.stderr
