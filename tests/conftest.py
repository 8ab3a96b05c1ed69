"""Session fixtures that start the real parts on test-only ports: mail catcher, Keycloak, demo data.

WOUNDWO_TEST_REUSE=1 reuses a Keycloak and mail catcher already running on the test ports (see
`make test-stack`), which saves a minute per run while developing; tests marked `destructive`
refuse to run against such a shared instance.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bridge.keycloak.gateway import KeycloakGateway
from devstack import processes
from devstack.keycloak import KeycloakInstance
from devstack.seed import DEMO_CUSTOMERS, seed_keycloak
from devstack.settings import REPO_ROOT, TEST_PORTS, TEST_STATE_DIR, stack_env
from devstack.ports import free_ports
from devstack import postgres_server
from devstack.redis_server import running_redis

TEST_STATE = TEST_STATE_DIR
REUSE = os.environ.get("WOUNDWO_TEST_REUSE") == "1"


@dataclass
class RunningKeycloak:
    url: str
    management_url: str
    reused: bool
    log_file: Path | None = None


@dataclass
class RunningMailCatcher:
    api_url: str
    smtp_port: int

    def messages(self) -> list[dict]:
        return requests.get(f"{self.api_url}/api/v1/messages", timeout=5).json()["messages"]

    def message(self, message_id: str) -> dict:
        return requests.get(f"{self.api_url}/api/v1/message/{message_id}", timeout=5).json()

    def clear(self) -> None:
        requests.delete(f"{self.api_url}/api/v1/messages", timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def test_env() -> dict[str, str]:
    """The environment every test-started server gets (test ports, dev secrets)."""
    # Yearly confirmations start only when a test starts one: a worker that runs after the year's day would start
    # the year's round and send e-mails other tests do not expect.
    return {**stack_env(TEST_PORTS, state_dir=TEST_STATE), "BRIDGE_CONFIRMATION_DAY": ""}


@pytest.fixture(scope="session")
def mailcatcher(test_env) -> RunningMailCatcher:
    """A real SMTP sink with Mailpit's API, on the test ports."""
    catcher = RunningMailCatcher(f"http://127.0.0.1:{TEST_PORTS.mail_http}", TEST_PORTS.smtp)
    if REUSE:
        yield catcher
        return
    log = TEST_STATE / "mailcatcher.log"
    process = processes.spawn(
        [sys.executable, "-m", "devstack.mailcatcher", "--smtp-port", str(TEST_PORTS.smtp),
         "--http-port", str(TEST_PORTS.mail_http), "--store", str(TEST_STATE / "mail")],
        {}, log, cwd=REPO_ROOT)
    try:
        processes.wait_http(f"{catcher.api_url}/api/v1/messages", 30, process, log)
        catcher.clear()
        yield catcher
    finally:
        processes.stop(process)


@pytest.fixture(scope="session")
def keycloak(test_env, mailcatcher) -> RunningKeycloak:
    """A real Keycloak 26.7.3 with our realm and theme, started from an empty database."""
    url = f"http://localhost:{TEST_PORTS.keycloak}"
    management = f"http://localhost:{TEST_PORTS.keycloak_management}"
    if REUSE:
        requests.get(f"{management}/health/ready", timeout=5).raise_for_status()
        yield RunningKeycloak(url, management, reused=True)
        return
    instance = KeycloakInstance(TEST_STATE / "keycloak", TEST_PORTS.keycloak, TEST_PORTS.keycloak_management, test_env)
    instance.prepare(fresh=True)
    instance.start()
    try:
        instance.wait_ready()
        yield RunningKeycloak(url, management, reused=False, log_file=instance.log_file)
    finally:
        instance.stop()


@pytest.fixture(scope="session")
def gateway(keycloak, test_env) -> KeycloakGateway:
    """The bridge's Keycloak gateway, authenticated as the b2b-bridge service account."""
    return KeycloakGateway(keycloak.url, "woundwo", "b2b-bridge", test_env["BRIDGE_KEYCLOAK_CLIENT_SECRET"], 10)


@pytest.fixture
def make_app(tmp_path, test_env):
    """Build an in-process bridge app on a fresh SQLite database: make_app(KEYCLOAK_URL=..., ...)."""
    from bridge import create_app
    from bridge.core.migrate import upgrade

    def build(**overrides):
        database = f"sqlite:///{tmp_path / 'bridge.sqlite'}"
        upgrade(database)
        config = {
            "ENV": "development", "SECRET_KEY": "test-only-secret-key-0123456789abcdef", "PUBLIC_URL": test_env["BRIDGE_PUBLIC_URL"],
            "DATABASE_URL": database, "KEYCLOAK_URL": test_env["BRIDGE_KEYCLOAK_URL"],
            "KEYCLOAK_CLIENT_SECRET": test_env["BRIDGE_KEYCLOAK_CLIENT_SECRET"],
            "MANAGER_CLIENT_SECRET": test_env["BRIDGE_MANAGER_CLIENT_SECRET"],
            "FALLBACK_MANAGER_EMAIL": test_env["BRIDGE_FALLBACK_MANAGER_EMAIL"],
            "PRIVACY_URL": test_env["BRIDGE_PRIVACY_URL"], "CONTACT_URL": test_env["BRIDGE_CONTACT_URL"],
            "SMTP_HOST": "localhost", "SMTP_PORT": TEST_PORTS.smtp,
            "CORS_ORIGINS": test_env["BRIDGE_CORS_ORIGINS"], "EMAIL_CHECK_LIMIT_PER_IP": GENEROUS_LIMIT,
        }
        return create_app({**config, **overrides})

    return build


@pytest.fixture
def app(make_app, keycloak, demo):
    """An in-process bridge with the demo customer directory that accepts forms sent at once."""
    from bridge.directory.customers import import_customers
    from bridge.core.db import session

    bridge = make_app(REQUEST_MIN_FILL_SECONDS=0)
    with bridge.app_context():
        import_customers(session(), DEMO_CUSTOMERS.read_bytes(), bridge.config["CUSTOMER_NUMBER_PATTERN"])
    return bridge


@pytest.fixture(scope="session")
def demo(gateway) -> None:
    """The demo accounts of `make run`, seeded the same way."""
    seed_keycloak(gateway)


class BridgeServer:
    """The real bridge under gunicorn on the test port, as in production, with a fresh SQLite database."""

    def __init__(self, env: dict[str, str]):
        self.url = f"http://localhost:{TEST_PORTS.bridge}"
        self.log_file = TEST_STATE / "bridge.log"
        self.env = {**env, "BRIDGE_DATABASE_URL": f"sqlite:///{TEST_STATE / 'bridge.sqlite'}"}
        self.process = None

    def prepare(self) -> None:
        """A fresh database, migrated and holding the demo customer directory, as `make run` sets it up."""
        for leftover in TEST_STATE.glob("bridge.sqlite*"):
            leftover.unlink()
        self.command("db", "upgrade")
        self.command("customers", "import", str(DEMO_CUSTOMERS))

    def command(self, *args: str) -> None:
        """Run `flask --app bridge ARGS` on this server's database and settings, as an operator does."""
        command = [sys.executable, "-m", "flask", "--app", "bridge", *args]
        assert processes.spawn(command, self.env, self.log_file, cwd=REPO_ROOT).wait(120) == 0, \
            f"{' '.join(args)} failed; see {self.log_file}"

    def start(self, **settings: str) -> None:
        """Start with extra BRIDGE_* settings, e.g. start(BRIDGE_EMAIL_CHECK_LIMIT_PER_IP="3 per minute")."""
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", TEST_PORTS.bridge)) == 0:
                pytest.fail(f"port {TEST_PORTS.bridge} is taken: is another test run active?")
        self.process = processes.spawn(
            # Sync workers as in production, but one: limits counted in memory:// then apply exactly.
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--bind",
             f"127.0.0.1:{TEST_PORTS.bridge}", "--workers", "1", "bridge:create_app()"],
            {**self.env, **settings}, self.log_file, cwd=REPO_ROOT)
        processes.wait_http(f"{self.url}/healthz", 30, self.process, self.log_file)
        assert self.process.poll() is None, f"the bridge exited; see {self.log_file}"

    def restart(self, **settings: str) -> None:
        """Restart with the session's limits, overridden by `settings` (none: back to the session's)."""
        self.stop()
        self.start(**{**SESSION_LIMITS, **settings})

    def stop(self) -> None:
        processes.stop(self.process)


# A whole test session's checks and forms come from 127.0.0.1; tests of a limit restart with a low one.
GENEROUS_LIMIT = "10000 per minute"
SESSION_LIMITS = {"BRIDGE_EMAIL_CHECK_LIMIT_PER_IP": GENEROUS_LIMIT, "BRIDGE_REQUEST_LIMIT_PER_IP": GENEROUS_LIMIT,
                  "BRIDGE_REQUEST_ATTEMPT_LIMIT_PER_IP": GENEROUS_LIMIT, "BRIDGE_REQUEST_LIMIT_PER_EMAIL": GENEROUS_LIMIT}


@pytest.fixture(scope="session")
def bridge_server(keycloak, test_env) -> BridgeServer:
    """The bridge serving the login page's e-mail check (and every bridge page) on the test port."""
    server = BridgeServer(test_env)
    server.prepare()
    server.start(**SESSION_LIMITS)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def portal(keycloak, demo, test_env) -> str:
    """The example portal as a subprocess on the test port, started the way `make run` starts it."""
    url = f"http://localhost:{TEST_PORTS.portal}"
    log = TEST_STATE / "portal.log"
    process = processes.spawn([sys.executable, "-m", "flask", "--app", "examples.portal", "run", "--host",
                               "127.0.0.1", "--port", str(TEST_PORTS.portal)], test_env, log, cwd=REPO_ROOT)
    try:
        processes.wait_http(f"{url}/healthz", 30, process, log)
        yield url
    finally:
        processes.stop(process, grace=10)


@pytest.fixture(scope="session")
def postgres() -> postgres_server.RunningPostgres:
    """A private PostgreSQL for the session; the test fails (not skips) when it cannot start."""
    with contextlib.ExitStack() as stack:
        try:
            cluster = stack.enter_context(postgres_server.running_postgres())
        except (postgres_server.PostgresUnavailable, OSError, subprocess.SubprocessError) as exc:
            pytest.fail(f"PostgreSQL could not be started: {exc}", pytrace=False)
        yield cluster


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A private Redis server for the session (the shared rate-limit counters and broadcasts)."""
    try:
        with running_redis(free_ports()[0]) as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def silent_listener():
    """A URL whose port accepts TCP connections but never answers (a hung Keycloak)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"http://localhost:{server.getsockname()[1]}"


@pytest.fixture
def nothing_listens() -> str:
    """A URL where nothing listens (a stopped Keycloak)."""
    return f"http://localhost:{free_ports()[0]}"


@pytest.fixture
def destructive(keycloak) -> None:
    """Refuse tests that break shared state when running against a reused Keycloak."""
    if keycloak.reused:
        pytest.skip("destructive: refused on a reused Keycloak (unset WOUNDWO_TEST_REUSE)")
