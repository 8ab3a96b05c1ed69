"""docker-compose.yml is valid for `docker compose` and matches the no-Docker stack's versions and ports."""

from __future__ import annotations

import json
import subprocess

from devstack.debian import debian_program
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


CLUSTER_FILES = ["-f", "docker-compose.yml", "-f", "docker-compose.cluster.yml"]


def test_compose_cluster_variant_runs_two_of_each_behind_nginx_alone_on_loopback():
    result = subprocess.run(["docker", "compose", "--env-file", ".env.example", *CLUSTER_FILES, "config", "--format",
                             "json"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert {"keycloak", "keycloak-2", "bridge", "bridge-2", "worker", "worker-2", "nginx"} <= set(services)
    for node in ("keycloak", "keycloak-2"):
        assert services[node]["command"][0] == "start" and "--cache-stack=jdbc-ping" in services[node]["command"]
        assert not services[node].get("ports")
    for name in ("bridge", "bridge-2", "worker", "worker-2"):
        assert services[name]["environment"]["BRIDGE_KEYCLOAK_URL"] == "http://nginx:8081"
        assert services[name]["environment"]["BRIDGE_RATELIMIT_STORAGE_URI"] == "redis://redis:6379/0"
    assert [port["host_ip"] for port in services["nginx"]["ports"]] == ["127.0.0.1"] * 3


def test_compose_cluster_nginx_configuration_is_accepted_by_nginx(tmp_path):
    """nginx -t on docker/nginx-cluster.conf, the service names pointed at loopback (no Docker DNS here)."""
    config = (REPO_ROOT / "docker" / "nginx-cluster.conf").read_text()
    for host in ("keycloak-2", "keycloak", "bridge-2", "bridge"):
        config = config.replace(f"server {host}:", "server 127.0.0.1:")
    config = config.replace("/etc/nginx/woundwo/", f"{REPO_ROOT / 'deploy' / 'nginx'}/")
    (tmp_path / "nginx.conf").write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n{config}")
    nginx = str(debian_program("nginx", "/usr/sbin/nginx"))
    checked = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                              "-e", str(tmp_path / "error.log")], capture_output=True, text=True, timeout=60)
    # The whole file and its includes parsed; creating the image's temporary folders is not our part.
    assert "syntax is ok" in checked.stderr, checked.stderr


def test_only_keycloak_gets_the_realm_operators_secret():
    given = {name for name, service in compose_config()["services"].items()
             if "BRIDGE_REALM_OPERATOR_CLIENT_SECRET" in service.get("environment", {})}
    assert given == {"keycloak"}


def test_compose_imports_the_directory_from_a_drop_folder_every_night():
    service = compose_config()["services"]["directory-import"]
    assert service["command"] == ["sh", "/app/docker/directory-import.sh"]
    assert service["environment"]["DIRECTORY_IMPORT_AT"] == "02:30" and service["environment"]["TZ"] == "Europe/Paris"
    assert service["environment"]["BRIDGE_DATABASE_URL"].startswith("postgresql+psycopg://bridge:")
    assert {volume["target"] for volume in service["volumes"]} == {"/app/docker/directory-import.sh", "/drop"}
    script = (REPO_ROOT / "docker" / "directory-import.sh").read_text()
    assert 'customers import --full "$DROP/customers.csv"' in script
