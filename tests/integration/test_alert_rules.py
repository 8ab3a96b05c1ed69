"""The shipped Prometheus alert rules (deploy/prometheus/) are valid and behave as their unit tests say,
checked with Debian's promtool. The series they read are checked against the real programs elsewhere:
Keycloak's keycloak_user_events_total in test_sign_in_metrics.py, the bridge's bridge_email_checks_total
in test_email_status.py."""

from __future__ import annotations

import subprocess

import pytest

from devstack.settings import REPO_ROOT
from devstack.debian import debian_program

RULES = REPO_ROOT / "deploy" / "prometheus"


@pytest.fixture(scope="module")
def promtool():
    try:
        return str(debian_program("prometheus", "/usr/bin/promtool"))
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.mark.parametrize("command", [["check", "rules", "woundwo-alerts.yml"],
                                     ["test", "rules", "woundwo-alerts.test.yml"]])
def test_promtool_accepts_the_rules_and_their_tests(promtool, command):
    done = subprocess.run([promtool, *command], cwd=RULES, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout
