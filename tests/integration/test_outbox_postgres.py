"""Two outbox workers released at the same instant on 500 due activations (issue 6, "Concurrency").

On a real PostgreSQL (a private cluster, devstack/postgres_server.py; migrated with `flask --app bridge db
upgrade` like production) and on a SQLite file: 500 approved, provisioned requests are due, and two
`flask --app bridge worker` processes, already imported and waiting at a barrier, start at once. Every
person must get exactly one activation e-mail, and both workers must have done part of the work:
each worker logs one line per row it performed ("outbox item N (activation): sent ..."), so the logs
say who claimed what, and that no row was performed twice.

The 500 Keycloak accounts are created once and serve both databases; each variant approves them anew
(decided after the previous variant's e-mails, so Keycloak's earlier admin events do not count) and
counts, then deletes, its own e-mails.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

from bridge.core.models import utcnow
from devstack import processes
from devstack.settings import REPO_ROOT
from tests.integration.test_activation import SUBJECTS
from devstack.bulk_activations import (
    Mailbox, insert_due_activations, migrate, partner_accounts, progress, wait_until,
)

PEOPLE = 500
WORKERS = 2
PERFORMED = re.compile(r"outbox item (\d+) \(activation\): sent")
# Imports (the slow part of a start) happen before the barrier, so both workers really start together.
BARRIER_LAUNCHER = """
import os, sys, time
import flask.cli, bridge, bridge.delivery.cli
barrier = sys.argv[1]
print("waiting at the barrier", file=sys.stderr, flush=True)
while not os.path.exists(barrier):
    time.sleep(0.001)
sys.argv = ["flask", "--app", "bridge", *sys.argv[2:]]
flask.cli.main()
"""


@pytest.fixture(scope="module")
def people(keycloak, demo, test_env):
    """500 provisioned partner accounts (fr, de, en in turn), shared by both database variants."""
    with partner_accounts(keycloak, test_env["BRIDGE_KEYCLOAK_CLIENT_SECRET"], "concurrency", PEOPLE) as created:
        yield created


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bridge.sqlite'}"
    return request.getfixturevalue("postgres").create_database("outbox")


def performed_rows(log: Path) -> list[int]:
    return [int(number) for number in PERFORMED.findall(log.read_text(errors="replace"))]


def test_two_workers_released_together_share_500_activations_and_send_each_exactly_once(
        people, database_url, mailcatcher, test_env, tmp_path):
    env = {**test_env, "BRIDGE_DATABASE_URL": database_url, "BRIDGE_WORKER_POLL_SECONDS": "0.5"}
    migrate(env, tmp_path / "migrate.log")
    insert_due_activations(database_url, people, utcnow())
    mailbox = Mailbox(mailcatcher.api_url, SUBJECTS)
    barrier = tmp_path / "go"
    logs = [tmp_path / f"worker-{number}.log" for number in range(1, WORKERS + 1)]
    workers = [processes.spawn([sys.executable, "-c", BARRIER_LAUNCHER, str(barrier), "worker"], env, log,
                               cwd=REPO_ROOT) for log in logs]
    try:
        wait_until(lambda: all("waiting at the barrier" in log.read_text() for log in logs), 60, interval=0.1,
                   alive=workers, what="both workers at the barrier")
        started = time.monotonic()
        barrier.touch()
        wait_until(lambda: progress(database_url).outbox == {"sent": PEOPLE}, 280, interval=0.5, alive=workers,
                   what=f"{PEOPLE} activations sent")
        seconds = time.monotonic() - started
    finally:
        for worker in workers:
            processes.stop(worker, grace=15)
    try:
        rows = [performed_rows(log) for log in logs]
        print(f"\n{database_url.split(':')[0]}: {PEOPLE} activations in {seconds:.0f} s; "
              f"rows performed per worker: {[len(r) for r in rows]}")
        assert all(rows), f"a worker performed nothing: {[len(r) for r in rows]}; see {logs}"
        assert sum(len(r) for r in rows) == PEOPLE and len(set().union(*rows)) == PEOPLE, "a row was performed twice"
        state = progress(database_url)
        assert state.sent == PEOPLE and state.audit == {"activation_sent": PEOPLE}, state
        assert mailbox.problems(people) == []
    finally:
        mailbox.delete(mailbox.messages_to(p.email for p in people))
