"""docker-compose.yml is valid for `docker compose` and matches the no-Docker stack's versions and ports."""

from __future__ import annotations

import json
import subprocess

from devstack.keycloak import KEYCLOAK_VERSION
from devstack.settings import REPO_ROOT


def compose_config() -> dict:
    result = subprocess.run(
        ["docker", "compose", "--env-file", ".env.example", "config", "--format", "json"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_config_passes_and_pins_our_keycloak_version():
    services = compose_config()["services"]
    assert services["keycloak"]["image"] == f"quay.io/keycloak/keycloak:{KEYCLOAK_VERSION}"
    assert {"postgres", "keycloak", "bridge", "worker", "mailpit", "redis"} <= set(services)
    assert services["worker"]["command"] == ["flask", "--app", "bridge", "worker"]


def test_compose_bridge_workers_share_their_rate_limit_counters_in_redis():
    services = compose_config()["services"]
    assert services["bridge"]["environment"]["BRIDGE_RATELIMIT_STORAGE_URI"] == "redis://redis:6379/0"
    assert services["bridge"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_compose_publishes_ports_on_loopback_only():
    for name, service in compose_config()["services"].items():
        for port in service.get("ports", []):
            assert port["host_ip"] == "127.0.0.1", (name, port)


def test_compose_refuses_to_run_without_secrets():
    result = subprocess.run(["docker", "compose", "--env-file", "/dev/null", "config", "-q"], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "set it in .env" in result.stderr
