"""The backup and restore drill of docs/operations.md, on real PostgreSQL with the real Keycloak on it.

A stack (Keycloak and the bridge, each in its own PostgreSQL database) holds requests pending, approved and
activated. The bridge's database is dumped first, then Keycloak's (docs/operations.md says why: Keycloak's
dump must never be older than the bridge's); between the two dumps one activation goes out, after both an
approval and another activation. Both dumps are restored into a fresh PostgreSQL, Keycloak is started on
the restored database and the bridge on its own: the partner signs in, the pending requests are there, and
no activation e-mail goes out a second time. What makes that true, and is checked here:
- the activation sent between the two dumps is in Keycloak's restored admin events: `activations
  after-restore` records it as sent;
- the one sent after both dumps is known to neither database: `after-restore` holds it (never sent
  blindly), and the e-mail the person already has still works, because the link is signed with the
  realm's keys, which the restore brought back.
"""

from __future__ import annotations

import html
import re
import subprocess
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin

import pytest
import requests
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.migrate import upgrade
from bridge.core.models import AccessRequest, RequestStatus, utcnow
from bridge.directory.customers import import_customers
from bridge.keycloak.gateway import KeycloakGateway
from bridge.review import service as review
from devstack.keycloak import KeycloakInstance
from devstack.ports import free_ports
from devstack.postgres_server import SUPERUSER, RunningPostgres, running_postgres, server_bin
from devstack.seed import ADMIN, DEMO_CUSTOMERS, PARTNER, seed_keycloak
from devstack.settings import TEST_STATE_DIR
from tests.support.forms import submit_request
from tests.support.mail import wait_for_message
from tests.support.oidc import authorization_code, browser_session, open_login_page, submit_login
from tests.support.worker import run_outbox

SUBJECT = "Votre accès WOUNDWO B2B est activé"
ADMIN_REVIEWER = review.Reviewer(ADMIN.email, ADMIN.email, frozenset({"b2b-admin"}))


@dataclass
class KeycloakOnPostgres(KeycloakInstance):
    """The test Keycloak (start-dev, our realm and theme) on a PostgreSQL database instead of its dev file."""

    database_port: int = 0

    def command(self) -> list[str]:
        return [*super().command(), "--db=postgres", f"--db-url=jdbc:postgresql://127.0.0.1:{self.database_port}/keycloak",
                f"--db-username={SUPERUSER}"]

    def start(self) -> None:
        self.env = {**self.env, "KC_DB_PASSWORD": "loopback-trust"}  # trust on loopback; Keycloak wants one
        super().start()


def pg_tool(name: str, cluster: RunningPostgres, *args: str) -> None:
    """pg_dump / pg_restore of the server's own version, as docs/operations.md runs them."""
    subprocess.run([str(server_bin() / name), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", SUPERUSER, *args],
                   check=True, capture_output=True, timeout=600)


def backup(cluster: RunningPostgres, database: str, path) -> None:
    pg_tool("pg_dump", cluster, "--format=custom", f"--file={path}", database)


def restore(cluster: RunningPostgres, database: str, path) -> None:
    cluster.execute(f'CREATE DATABASE "{database}"')
    pg_tool("pg_restore", cluster, "--no-owner", "--exit-on-error", f"--dbname={database}", str(path))


def ready(app, timeout: float = 120) -> bool:
    """Whether /readyz answers 200 within `timeout` s (a Keycloak just started answers its first token slowly)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.test_client().get("/readyz").status_code == 200:
            return True
        time.sleep(2)
    return False


def set_password_page(link: str) -> str:
    """The page an activation link leads to: Keycloak's "continue" page first, then the set-password form."""
    browser = browser_session()
    page = browser.get(link, timeout=10)
    # The "continue" link, not the language links (which also point at login-actions, with kc_locale).
    proceed = [href for href in re.findall(r'href="([^"]*/login-actions/[^"]*)"', page.text) if "kc_locale" not in href]
    if "password-new" not in page.text and proceed:
        page = browser.get(urljoin(page.url, html.unescape(proceed[0])), timeout=10)
    return page.text


def activation_mails(mailcatcher, email: str) -> list[dict]:
    every = requests.get(f"{mailcatcher.api_url}/api/v1/messages?limit=0", timeout=10).json()["messages"]
    return [m for m in every if any(to["Address"] == email for to in m["To"]) and m["Subject"] == SUBJECT]


def request_of(app, email: str) -> AccessRequest:
    with app.app_context():
        return session().scalars(select(AccessRequest).where(AccessRequest.email == email)).one()


@pytest.fixture
def first_postgres():
    with running_postgres() as cluster:
        cluster.execute('CREATE DATABASE "keycloak"')
        cluster.execute('CREATE DATABASE "bridge"')
        yield cluster


def test_restore_drill_nothing_lost_and_no_activation_sent_twice(tmp_path, test_env, mailcatcher, make_app,
                                                                  first_postgres):
    http_port, management_port = free_ports(2)
    keycloak = KeycloakOnPostgres(TEST_STATE_DIR / "keycloak-drill", http_port, management_port, test_env,
                                  database_port=first_postgres.port)
    keycloak.prepare(fresh=True)
    keycloak.start()
    try:
        keycloak.wait_ready(900)
        gateway = KeycloakGateway(keycloak.url, "woundwo", "b2b-bridge", test_env["BRIDGE_KEYCLOAK_CLIENT_SECRET"], 10)
        seed_keycloak(gateway)
        upgrade(first_postgres.url("bridge"))
        app = make_app(DATABASE_URL=first_postgres.url("bridge"), KEYCLOAK_URL=keycloak.url, REQUEST_MIN_FILL_SECONDS=0)
        with app.app_context():
            import_customers(session(), DEMO_CUSTOMERS.read_bytes(), app.config["CUSTOMER_NUMBER_PATTERN"])

        tag = uuid.uuid4().hex[:6]
        people = {name: f"{name}.{tag}@pharmacie-centrale.example" for name in
                  ("pending", "approved-after-dump", "activated", "between-dumps", "after-dumps")}
        for email in people.values():
            assert submit_request(app.test_client(), "fr", email=email, customer_number="100001").status_code == 302
        now = utcnow()
        due = {}
        for days_ago, name in ((4, "activated"), (3, "between-dumps"), (2, "after-dumps")):
            with app.app_context():
                due[name] = review.approve(session(), ADMIN_REVIEWER, request_of(app, people[name]).id, "",
                                           now - timedelta(days=days_ago), "Europe/Paris", "127.0.0.1")
        run_outbox(app, kinds=("mail", "provision"))
        assert run_outbox(app, due["activated"], ("activation",)) == {"sent": 1}

        backup(first_postgres, "bridge", tmp_path / "bridge.dump")  # the bridge first ...
        assert run_outbox(app, due["between-dumps"], ("activation",)) == {"sent": 1}
        backup(first_postgres, "keycloak", tmp_path / "keycloak.dump")  # ... then Keycloak
        # After both dumps: an activation goes out and a pending request is approved.
        assert run_outbox(app, due["after-dumps"], ("activation",)) == {"sent": 1}
        with app.app_context():
            review.approve(session(), ADMIN_REVIEWER, request_of(app, people["approved-after-dump"]).id, "", utcnow(),
                           "Europe/Paris", "127.0.0.1")
        link = re.search(r"http://localhost:\d+/realms/woundwo/login-actions/action-token\?[^\s\"<>]+",
                         wait_for_message(mailcatcher, people["after-dumps"])["Text"]).group(0)
    finally:
        keycloak.stop()

    with running_postgres() as fresh:
        restore(fresh, "bridge", tmp_path / "bridge.dump")
        restore(fresh, "keycloak", tmp_path / "keycloak.dump")
        keycloak.database_port = fresh.port
        keycloak.start()  # on the restored database: the realm exists, so it is not imported again
        try:
            keycloak.wait_ready(900)
            restored = make_app(DATABASE_URL=fresh.url("bridge"), KEYCLOAK_URL=keycloak.url)
            with restored.app_context():
                runner = restored.test_cli_runner()
                assert "database is up to date" in runner.invoke(args=["db", "upgrade"]).output
                assert ready(restored), "/readyz answers 200 (as a load balancer waits for it)"

                browser = browser_session()
                page = open_login_page(browser, keycloak.url, "b2b-portal", test_env["PORTAL_URL"] + "/callback")
                assert authorization_code(submit_login(browser, page, PARTNER.email, PARTNER.password),
                                          test_env["PORTAL_URL"] + "/callback"), "the partner signs in"
                assert request_of(restored, people["pending"]).status == RequestStatus.PENDING
                assert request_of(restored, people["approved-after-dump"]).status == RequestStatus.PENDING

                restore_time = due["after-dumps"] + timedelta(hours=2)
                output = runner.invoke(args=["activations", "after-restore", "--now",
                                             f"{restore_time:%Y-%m-%dT%H:%M%z}"]).output
            between, after = request_of(restored, people["between-dumps"]), request_of(restored, people["after-dumps"])
            assert f"already sent, now recorded as sent: request {between.id}" in output, output
            assert "held (they may have gone out after the dump" in output and f"request {after.id}" in output
            assert run_outbox(restored, restore_time, ("activation",)) == {}
            for name in ("activated", "between-dumps", "after-dumps"):
                assert len(activation_mails(mailcatcher, people[name])) == 1, f"{name}: one activation e-mail, not two"
            assert "password-new" in set_password_page(link), "the e-mail the person has still works"
        finally:
            keycloak.stop()
