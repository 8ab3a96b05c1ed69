"""The directory as it changes: a full import suspends the customers missing from the file or marked blocked
(their pending requests on hold, their manager told), ends their people's access after the grace period (in
the worker, at a chosen instant), lifts the suspension of a customer that comes back in time, and hands the
waiting requests of a customer with a new manager to that manager. The dry run reports it all and does nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, AuditEvent, Customer, OutboxItem, RequestStatus, utcnow
from bridge.directory.customers import CsvFormatError, import_customers
from bridge.keycloak.access import PARTNER_ROLE
from devstack.seed import DEMO_CUSTOMERS
from tests.support.forms import submit_request
from tests.support.manager import csrf_token
from tests.support.worker import run_outbox

WEST, NEW_MANAGER = "manager.west@woundwo.example", "manager.north@woundwo.example"
DIRECTORY = DEMO_CUSTOMERS.read_text(encoding="utf-8")


def without(number: str) -> bytes:
    """The demo directory without one customer."""
    return "".join(line for line in DIRECTORY.splitlines(keepends=True) if not line.startswith(number)).encode()


def with_status(statuses: dict[str, str]) -> bytes:
    """The demo directory with a status column, `statuses` by customer number (the others empty)."""
    lines = DIRECTORY.splitlines()
    rows = [lines[0] + ",status"] + [f"{line},{statuses.get(line.split(',')[0], '')}" for line in lines[1:] if line]
    return ("\n".join(rows) + "\n").encode()


def replaced(old: str, new: str) -> bytes:
    return DIRECTORY.replace(old, new).encode()


def full_import(app, data: bytes, now=None, dry_run: bool = False):
    with app.app_context():
        return import_customers(session(), data, app.config["CUSTOMER_NUMBER_PATTERN"], dry_run=dry_run, full=True,
                                config=app.config, now=now)


def command(app, *args: str):
    """`flask --app bridge customers ...` (the flask command pushes the app context)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["customers", *args])


def end_access(app, now) -> str:
    return command(app, "end-access", "--now", f"{now:%Y-%m-%dT%H:%M:%S%z}").output


@pytest.fixture
def request_id(app, client) -> int:
    """A pending request for customer 100001 (manager.west, who reads French)."""
    assert submit_request(client, "en").status_code == 302
    with app.app_context():
        return session().scalars(select(AccessRequest.id)).one()


@pytest.fixture
def partner(twin) -> str:
    """A person of customer 100001 with access, signed in."""
    organization_id = twin.ensure_organization("100001", "Pharmacie Centrale", "west")
    user_id = twin.ensure_user("lou.brun@pharmacie-centrale.example", "Lou", "Brun", "fr", {"customer_number": "100001"})
    twin.add_member(organization_id, user_id)
    twin.grant_realm_role(user_id, PARTNER_ROLE)
    twin.start_session(user_id)
    return user_id


def request_status(app, request_id: int) -> str:
    with app.app_context():
        return session().get(AccessRequest, request_id).status


def actions(app, request_id: int | None = None) -> list[tuple[str, str]]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if request_id is not None:
            query = query.where(AuditEvent.request_id == request_id)
        return [(event.actor, event.action) for event in session().scalars(query)]


def has_access(twin, user_id: str) -> bool:
    return PARTNER_ROLE in twin.realm_roles(user_id) and user_id in [m["id"] for m in twin.customer_members("100001")]


def test_a_customer_missing_from_a_full_import_is_suspended_its_requests_held_and_its_manager_told(
        app, twin, mailbox, request_id, partner):
    run_outbox(app)  # the request's own e-mails
    mailbox.messages.clear()
    report = full_import(app, without("100001"))
    assert report.suspended == [("100001", "missing", 1, 0)]
    assert request_status(app, request_id) == RequestStatus.HELD
    assert ("directory import", "held") in actions(app, request_id)
    assert has_access(twin, partner), "access stays for the grace period"
    run_outbox(app, kinds=("mail",))
    [notice] = mailbox.to(WEST)
    assert notice["Subject"] == "Le client Pharmacie Centrale (100001) est suspendu"  # manager.west reads French
    body = notice.get_body(("plain",)).get_content()
    assert "ne figure plus dans l’annuaire ERP" in body and "zoe.durand@pharmacie-centrale.example" in body
    assert (utcnow() + timedelta(days=14)).strftime("%Y") in body and f"/manage/requests/{request_id}" in body


def test_a_second_full_import_without_the_customer_changes_nothing_more(app, mailbox, request_id):
    full_import(app, without("100001"))
    assert full_import(app, without("100001")).suspended == []
    with app.app_context():
        assert len(session().scalars(select(OutboxItem).where(OutboxItem.idempotency_key.like("customer:%"))).all()) == 1


def test_the_dry_run_reports_the_suspension_and_changes_nothing(app, request_id):
    report = full_import(app, without("100001"), dry_run=True)
    assert report.suspended == [("100001", "missing", 1, 0)]
    assert request_status(app, request_id) == RequestStatus.PENDING
    with app.app_context():
        assert session().get(Customer, "100001").suspended_at is None
        assert not session().scalars(select(OutboxItem).where(OutboxItem.idempotency_key.like("customer:%"))).all()


def test_without_full_a_missing_customer_is_left_alone(app, request_id):
    with app.app_context():
        report = import_customers(session(), without("100001"), app.config["CUSTOMER_NUMBER_PATTERN"], config=app.config)
    assert report.suspended == [] and request_status(app, request_id) == RequestStatus.PENDING


def test_after_the_grace_period_the_worker_ends_the_peoples_access_audited(app, twin, partner, request_id):
    start = utcnow().replace(microsecond=0)
    full_import(app, without("100001"), now=start)
    assert "access ended for 0 person(s)" in end_access(app, start + timedelta(days=14) - timedelta(minutes=1))
    assert has_access(twin, partner)
    assert "access ended for 1 person(s)" in end_access(app, start + timedelta(days=14))
    assert not has_access(twin, partner) and twin.user_sessions(partner) == []
    assert ("directory import", "revoked") in actions(app) and ("directory import", "customer_access_ended") in actions(app)
    assert "access ended for 0 person(s)" in end_access(app, start + timedelta(days=15)), "once"
    assert request_status(app, request_id) == RequestStatus.HELD


def test_an_approved_person_loses_access_and_the_request_says_so(app, twin, request_id):
    reviewer = app.test_client()
    reviewer.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with reviewer.session_transaction() as browser:
        browser.update(reviewer={"email": WEST, "name": WEST, "roles": ["regional-manager"]},
                       seen_at=utcnow().timestamp(), signed_in_at=utcnow().timestamp(), sid="s")
    assert reviewer.post(f"/manage/requests/{request_id}/approve", data={
        "confirmed": "yes", "csrf_token": csrf_token(reviewer, "/manage/")}).status_code == 302
    run_outbox(app, kinds=("provision",))
    start = utcnow().replace(microsecond=0)
    assert full_import(app, without("100001"), now=start).suspended == [("100001", "missing", 0, 1)]
    end_access(app, start + timedelta(days=14))
    assert request_status(app, request_id) == RequestStatus.REVOKED
    page = reviewer.get(f"/manage/requests/{request_id}").get_data(as_text=True)
    assert "access ended by directory import: customer missing in the directory" in page


def test_a_customer_back_within_the_grace_period_changes_nothing(app, twin, partner, request_id):
    start = utcnow().replace(microsecond=0)
    full_import(app, without("100001"), now=start)
    report = full_import(app, DIRECTORY.encode(), now=start + timedelta(days=3))
    assert report.lifted == [("100001", 1)] and report.suspended == []
    assert request_status(app, request_id) == RequestStatus.PENDING
    assert ("directory import", "released") in actions(app, request_id)
    assert "access ended for 0 person(s)" in end_access(app, start + timedelta(days=30))
    assert has_access(twin, partner)


def test_a_blocked_status_suspends_and_an_empty_one_lifts(app, request_id):
    assert full_import(app, with_status({"100001": "blocked"})).suspended == [("100001", "blocked", 1, 0)]
    assert request_status(app, request_id) == RequestStatus.HELD
    assert full_import(app, with_status({"100001": "active"})).lifted == [("100001", 1)]
    assert request_status(app, request_id) == RequestStatus.PENDING


def test_an_unknown_status_is_a_rejected_row_and_suspends_nobody(app, request_id):
    report = full_import(app, with_status({"100001": "paused"}))
    assert [reason for _, reason in report.rejected] == ["status 'paused' is not one of active, blocked (or empty)"]
    assert report.suspended == [] and request_status(app, request_id) == RequestStatus.PENDING


def test_a_new_manager_takes_the_waiting_requests_and_is_told_and_the_history_shows_the_move(
        app, mailbox, request_id):
    run_outbox(app)
    mailbox.messages.clear()
    report = full_import(app, replaced("100001,Pharmacie Centrale,FR,44000,west,manager.west@woundwo.example,fr",
                                       f"100001,Pharmacie Centrale,FR,44000,west,{NEW_MANAGER},de"))
    assert report.moved == [("100001", NEW_MANAGER, 1)]
    with app.app_context():
        assert session().get(AccessRequest, request_id).assigned_manager_email == NEW_MANAGER
        [moved] = [event for event in session().scalars(select(AuditEvent).where(AuditEvent.action == "reassigned"))]
        assert (moved.actor, moved.detail["previous"], moved.detail["to"]) == ("directory import", WEST, NEW_MANAGER)
    run_outbox(app, kinds=("mail",))
    [notice] = mailbox.to(NEW_MANAGER)
    assert notice["Subject"] == "Anfragen von Pharmacie Centrale (100001) warten jetzt auf Sie"
    assert f"/manage/requests/{request_id}" in notice.get_body(("plain",)).get_content()
    assert mailbox.to(WEST) == []


def test_a_full_import_of_a_file_without_customers_is_refused(app, request_id):
    with pytest.raises(CsvFormatError, match="whole directory"):
        full_import(app, DIRECTORY.splitlines(keepends=True)[0].encode())
    assert request_status(app, request_id) == RequestStatus.PENDING


@pytest.mark.parametrize("content, message", [
    (b"customer_number;company\n100001;x\n", "the header must be exactly"),
    (DIRECTORY.replace("manager_language", "manager_language,deputy").encode(), "the header must be exactly"),
    (b"\xff\xfe\x00", "not UTF-8"),
])
def test_the_command_refuses_a_bad_file_with_a_clear_message_and_changes_nothing(app, tmp_path, request_id,
                                                                                  content, message):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    result = command(app, "import", "--full", str(path))
    assert result.exit_code == 1 and message in result.output and "nothing was changed" in result.output
    assert request_status(app, request_id) == RequestStatus.PENDING


def test_the_command_says_when_the_file_cannot_be_read(app, tmp_path):
    result = command(app, "import", str(tmp_path / "missing.csv"))
    assert result.exit_code == 1 and "cannot read" in result.output and "missing.csv" in result.output


def test_the_dry_run_command_prints_what_would_happen(app, tmp_path, request_id):
    path = tmp_path / "export.csv"
    path.write_bytes(without("100001"))
    output = command(app, "import", "--full", "--dry-run", str(path)).output
    assert "dry run, nothing written" in output
    assert "customer 100001 suspended (missing): 1 pending request(s) on hold, 0 approved person(s) keep access " \
           "for 14 days, the manager is told" in output
    assert request_status(app, request_id) == RequestStatus.PENDING
