"""The 04:00 activation e-mail against the real Keycloak and mail catcher: timing, language, notice, skips, the gap."""

from __future__ import annotations

import re
import sys
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from bridge.delivery import outbox
from bridge.core.db import session
from bridge.core.models import AccessRequest, AuditEvent
from devstack import processes
from devstack.seed import MANAGER_WEST
from devstack.settings import REPO_ROOT
from tests.support.crashing_worker import CRASHED
from tests.support.forms import submit_request
from tests.support.mail import wait_for_message
from tests.support.manager import csrf_token, sign_in
from tests.support.oidc import browser_session
from tests.support.worker import run_outbox

SUBJECTS = {"fr": "Votre accès WOUNDWO B2B est activé", "de": "Ihr Zugang zu WOUNDWO B2B ist aktiviert",
            "en": "Your WOUNDWO B2B access is active"}


@pytest.fixture
def approved(app, gateway, mailcatcher):
    """Approve a fresh request (language chosen by the test) and provision it; return its details."""

    def make(language: str = "de") -> dict:
        email = f"activation.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"
        submit_request(app.test_client(), language, email=email, language=language, first_name="Lou", last_name="Brun")
        with app.app_context():
            request_id = session().scalar(select(AccessRequest.id).where(AccessRequest.email == email))
        client = sign_in(app.test_client(), MANAGER_WEST.email, MANAGER_WEST.password)
        token = csrf_token(client, f"/manage/requests/{request_id}")
        client.post(f"/manage/requests/{request_id}/approve", data={"note": "", "confirmed": "yes", "csrf_token": token})
        run_outbox(app)  # the request's e-mails and the provisioning; the activation is not due yet
        with app.app_context():
            due = session().get(AccessRequest, request_id).activation_due_at
        return {"id": request_id, "email": email, "due": due, "user_id": gateway.find_user_by_email(email)["id"]}

    return make


def mails_to(mailcatcher, email):
    return [m for m in mailcatcher.messages() if m["To"][0]["Address"] == email]


def audit_actions(app, request_id):
    with app.app_context():
        return session().scalars(select(AuditEvent.action).where(AuditEvent.request_id == request_id)).all()


def test_nothing_before_the_due_time_then_exactly_one_mail_in_the_persons_language(app, approved, mailcatcher):
    person = approved("de")
    assert run_outbox(app, person["due"] - timedelta(minutes=1), kinds=("activation",)) == {}
    assert mails_to(mailcatcher, person["email"]) == [m for m in mails_to(mailcatcher, person["email"])
                                                      if "Anfrage" in m["Subject"]]
    assert run_outbox(app, person["due"], kinds=("activation",)) == {"sent": 1}
    assert run_outbox(app, person["due"] + timedelta(days=2), kinds=("activation",)) == {}

    mail = wait_for_message(mailcatcher, person["email"])
    assert mail["Subject"] == SUBJECTS["de"]
    assert mail["From"] == {"Name": "WOUNDWO B2B", "Address": "noreply@woundwo.com"}
    activation_mails = [m for m in mails_to(mailcatcher, person["email"]) if m["Subject"] == SUBJECTS["de"]]
    assert len(activation_mails) == 1
    assert "activation_sent" in audit_actions(app, person["id"])

    link = re.search(r"http://localhost:\d+/realms/woundwo/login-actions/action-token\?[^\s\"<>]+", mail["Text"]).group(0)
    page = browser_session().get(link, timeout=10)
    assert page.status_code == 200 and "woundwo" in page.text and "/login/woundwo/css/" in page.text


def test_person_who_reset_the_password_before_four_gets_the_notice_instead(app, approved, gateway, mailcatcher):
    person = approved("fr")
    gateway.set_password(person["user_id"], "Lou-Brun-Password-2026!")
    assert run_outbox(app, person["due"], kinds=("activation",)) == {"sent": 1}
    assert wait_for_message(mailcatcher, person["email"])["Subject"] == "Votre accès WOUNDWO B2B est actif"
    assert not [m for m in mails_to(mailcatcher, person["email"]) if m["Subject"] == SUBJECTS["fr"]]
    assert "activation_notice" in audit_actions(app, person["id"])


@pytest.mark.parametrize("change", ["disable", "revoke"])
def test_disabled_or_revoked_meanwhile_is_skipped_with_the_reason(app, approved, gateway, mailcatcher, change):
    person = approved("en")
    if change == "disable":
        gateway.set_enabled(person["user_id"], False)
    else:
        gateway.revoke_access(person["user_id"], "100001", "b2b-partner")
    assert run_outbox(app, person["due"], kinds=("activation",)) == {"sent": 1}
    assert not [m for m in mails_to(mailcatcher, person["email"]) if m["Subject"] == SUBJECTS["en"]]
    with app.app_context():
        event = session().scalars(select(AuditEvent).where(AuditEvent.request_id == person["id"],
                                                           AuditEvent.action == "activation_skipped")).one()
    assert event.detail["reason"] == {"disable": "account disabled", "revoke": "access revoked"}[change]


def test_activation_waits_for_provisioning(app, make_app, approved, nothing_listens):
    person = approved("en")
    broken = make_app(KEYCLOAK_URL=nothing_listens, DATABASE_URL=app.config["DATABASE_URL"])
    assert run_outbox(broken, person["due"], kinds=("activation",)) == {"pending": 1}
    assert run_outbox(app, person["due"] + outbox.backoff(1), kinds=("activation",)) == {"sent": 1}


def send_due_command(env, now, log, crash_after_sending: bool = False):
    """`activations send-due --now` as a process; optionally one that dies right after Keycloak sent the e-mail."""
    runner = ["-m", "tests.support.crashing_worker"] if crash_after_sending else ["-m", "flask", "--app", "bridge",
                                                                                 "activations", "send-due"]
    return processes.spawn([sys.executable, *runner, "--now", now.isoformat()], env, log, cwd=REPO_ROOT)


def test_crash_between_keycloak_and_commit_leaves_nobody_without_a_mail_and_sends_no_second(
        app, approved, mailcatcher, test_env, tmp_path):
    person = approved("de")
    env = {**test_env, "BRIDGE_DATABASE_URL": app.config["DATABASE_URL"]}
    log = tmp_path / "worker.log"
    crashed = send_due_command(env, person["due"], log, crash_after_sending=True)
    assert crashed.wait(60) == CRASHED, log.read_text()
    wait_for_message(mailcatcher, person["email"])
    with app.app_context():
        assert session().get(AccessRequest, person["id"]).activation_sent_at is None, "the crash came before the commit"

    # Restarted while the dead worker's claim lease (10 minutes) runs, even "as of tomorrow": left alone.
    assert send_due_command(env, person["due"] + timedelta(days=1), log).wait(60) == 0
    with app.app_context():
        assert session().get(AccessRequest, person["id"]).activation_sent_at is None
    # After the lease (here one second) the row is taken again; Keycloak's record of the e-mail prevents a second one.
    time.sleep(1.5)
    assert send_due_command({**env, "BRIDGE_OUTBOX_CLAIM_LEASE_SECONDS": "1"}, person["due"], log).wait(60) == 0
    with app.app_context():
        assert session().get(AccessRequest, person["id"]).activation_sent_at is not None
    activation_mails = [m for m in mails_to(mailcatcher, person["email"]) if m["Subject"] == SUBJECTS["de"]]
    assert len(activation_mails) == 1
