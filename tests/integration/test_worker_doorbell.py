"""On PostgreSQL an idle worker starts on queued work when the transaction that queued it commits, not at its
next poll: a real `flask --app bridge worker` with a poll of a minute performs an e-mail queued while it waits
within seconds (docs/benchmarks.md §7: approving up to "provisioned" waited for the poll)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.migrate import upgrade
from bridge.core.models import OutboxItem, OutboxStatus
from bridge.delivery import outbox
from bridge.delivery.mailer import Mail
from devstack import processes
from devstack.bulk_activations import flask_command
from devstack.settings import REPO_ROOT

pytestmark = pytest.mark.integration
POLL_SECONDS = 60


def test_an_idle_worker_performs_work_queued_while_it_waits_without_waiting_for_its_poll(
        postgres, make_app, mailcatcher, test_env, tmp_path):
    url = postgres.create_database("doorbell")
    upgrade(url)
    app = make_app(DATABASE_URL=url)
    log = tmp_path / "worker.log"
    worker = processes.spawn(flask_command("worker"), {**test_env, "BRIDGE_DATABASE_URL": url,
                                                       "BRIDGE_WORKER_POLL_SECONDS": str(POLL_SECONDS)},
                             log, cwd=REPO_ROOT)
    try:
        deadline = time.monotonic() + 60
        while "worker started" not in log.read_text(errors="replace"):
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.1)
        time.sleep(3)  # past its first look at the outbox: idle, waiting
        with app.app_context():
            mail = Mail(to="someone@pharmacie-centrale.example", subject="doorbell", text="hello", html="")
            outbox.enqueue_mail(session(), mail, "test:doorbell")
            session().commit()
            queued = time.monotonic()
            while session().scalar(select(OutboxItem.status)) != OutboxStatus.SENT:
                assert time.monotonic() - queued < 10, log.read_text(errors="replace")
                time.sleep(0.05)
                session().rollback()  # a fresh snapshot for the next look
    finally:
        processes.stop(worker)
