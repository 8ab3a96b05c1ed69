"""From request to inbox: the worker delivers the manager notification and the receipt through real SMTP."""

from __future__ import annotations

import sys
from datetime import timedelta

import requests
from sqlalchemy import select

from bridge.delivery import outbox
from bridge.core.db import session
from bridge.core.models import AccessRequest, OutboxItem, utcnow
from devstack import processes
from devstack.settings import REPO_ROOT
from devstack.ports import free_ports
from tests.support.forms import submit_request
from tests.support.worker import run_outbox
from tests.support.mail import wait_for_message


def test_manager_and_requester_get_their_mails_in_their_languages(app, mailcatcher):
    mailcatcher.clear()
    submit_request(app.test_client(), "en", customer_number="100002", email="anna.keller@sanitaetshaus-berger.example",
                   company="Sanitätshaus Berger", first_name="Anna", last_name="Keller", language="en")
    assert run_outbox(app) == {"sent": 2}

    notification = wait_for_message(mailcatcher, "manager.east@woundwo.example")
    assert notification["From"]["Address"] == "noreply@woundwo.com"
    assert notification["Subject"].startswith("Neue B2B-Zugangsanfrage: Anna Keller")
    with app.app_context():
        request_id = session().scalars(select(AccessRequest.id)).one()
    review_url = f"{app.config['PUBLIC_URL']}/manage/requests/{request_id}"
    assert review_url in notification["Text"] and f'href="{review_url}"' in notification["HTML"]

    receipt = wait_for_message(mailcatcher, "anna.keller@sanitaetshaus-berger.example")
    assert receipt["Subject"] == "We have received your B2B access request"
    assert "04:00" in receipt["Text"] and "spam" in receipt["Text"]
    assert not [m for m in mailcatcher.messages() if m["To"][0]["Address"] == "manager.west@woundwo.example"]


def test_typed_text_is_escaped_in_the_manager_mail(app, mailcatcher):
    mailcatcher.clear()
    submit_request(app.test_client(), "fr", email="markup@pharmacie-centrale.example",
                   message='<a href="https://evil.example">click</a>', job_title="<b>boss</b>")
    run_outbox(app)
    notification = wait_for_message(mailcatcher, "manager.west@woundwo.example")
    assert "&lt;a href=" in notification["HTML"] and '<a href="https://evil.example">' not in notification["HTML"]
    assert "&lt;b&gt;boss&lt;/b&gt;" in notification["HTML"]


def test_smtp_down_keeps_the_request_and_delivers_once_smtp_is_back(app, tmp_path):
    smtp_port, http_port = free_ports(2)
    app.config["SMTP_PORT"] = smtp_port  # nothing listens there yet
    response = submit_request(app.test_client(), "fr", email="retry.me@pharmacie-centrale.example")
    assert response.status_code == 302

    started = utcnow()
    assert run_outbox(app, started) == {"pending": 2}
    with app.app_context():
        items = session().scalars(select(OutboxItem)).all()
    assert all(item.attempts == 1 and "transient" in item.last_error for item in items)
    assert run_outbox(app, started) == {}, "nothing is retried before its backoff"

    log = tmp_path / "catcher.log"
    catcher = processes.spawn([sys.executable, "-m", "devstack.mailcatcher", "--smtp-port", str(smtp_port),
                               "--http-port", str(http_port), "--store", str(tmp_path / "mail")], {}, log,
                              cwd=REPO_ROOT)
    try:
        processes.wait_http(f"http://127.0.0.1:{http_port}/api/v1/messages", 30, catcher, log)
        later = started + outbox.backoff(1)
        assert run_outbox(app, later) == {"sent": 2}
        assert run_outbox(app, later + outbox.backoff(5)) == {}, "a delivered row is never sent again"
        messages = requests.get(f"http://127.0.0.1:{http_port}/api/v1/messages", timeout=5).json()["messages"]
        assert sorted(m["To"][0]["Address"] for m in messages) == ["manager.west@woundwo.example",
                                                                   "retry.me@pharmacie-centrale.example"]
    finally:
        processes.stop(catcher)


def test_worker_command_delivers_and_stops_on_sigterm(app, mailcatcher, test_env, tmp_path):
    mailcatcher.clear()
    submit_request(app.test_client(), "de", email="worker.probe@pharmacie-centrale.example", language="de")
    env = {**test_env, "BRIDGE_DATABASE_URL": app.config["DATABASE_URL"], "BRIDGE_WORKER_POLL_SECONDS": "0.2"}
    log = tmp_path / "worker.log"
    worker = processes.spawn([sys.executable, "-m", "flask", "--app", "bridge", "worker"], env, log, cwd=REPO_ROOT)
    try:
        receipt = wait_for_message(mailcatcher, "worker.probe@pharmacie-centrale.example")
        assert receipt["Subject"] == "Wir haben Ihre Anfrage für einen B2B-Zugang erhalten"
    finally:
        processes.stop(worker, grace=10)
    assert worker.returncode == 0, log.read_text()


def test_a_request_waiting_two_working_days_reminds_its_manager_through_the_worker(app, mailcatcher):
    mailcatcher.clear()
    assert submit_request(app.test_client(), "fr", email="waiting.long@pharmacie-centrale.example").status_code == 302
    with app.app_context():
        request = session().scalars(select(AccessRequest)).one()
        request.created_at = utcnow() - timedelta(days=10)  # two weekends and more: at least one interval
        session().commit()
        result = app.test_cli_runner().invoke(args=["worker", "--once"])  # as `flask --app bridge worker` runs
    assert result.exit_code == 0, result.output
    reminder = next(message for message in (mailcatcher.message(summary["ID"]) for summary in mailcatcher.messages())
                    if message["Subject"].startswith("Rappel"))
    assert reminder["To"][0]["Address"] == "manager.west@woundwo.example"
    assert reminder["From"]["Address"] == "noreply@woundwo.com" and "jours ouvrés" in reminder["Text"]
