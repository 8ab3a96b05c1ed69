"""The big realm's bridge part: the schema by `flask --app bridge db upgrade`, the directory by the real
`flask --app bridge customers import`, then 50,000 requests with their audit events and sent e-mails by COPY
(what the request form, the decisions and the worker would have written, without a year of their traffic)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg

from bench.big_realm.plan import Plan, Request
from bench.customer_import import timed, write_csv
from devstack.bulk_activations import flask_command, migrate

# What each status leaves in the audit (besides the request itself): the actions, in order.
AUDIT = {"approved": ("approved", "provisioned"), "revoked": ("approved", "provisioned", "revoked"),
         "rejected": ("rejected",), "expired": ("expired",), "pending": ()}


def import_directory(env: dict[str, str], plan: Plan, work: Path) -> tuple[float, str]:
    """Write the directory as the ERP does and import it with the real command; (seconds, its report)."""
    work.mkdir(parents=True, exist_ok=True)
    path = work / "customers.csv"
    write_csv(path, plan.customers)
    seconds, _, output = timed(flask_command("customers", "import", str(path)), env, work / "import.log")
    return seconds, output


def _request_rows(requests: list[Request], now: datetime):
    for r in requests:
        created = now - timedelta(days=r.days_ago)
        decided = created + timedelta(hours=20) if r.status != "pending" else None
        approved = r.status in ("approved", "revoked")
        yield (r.index + 1, r.customer_number, r.company, r.first_name, r.last_name, r.email, "",
               "", r.language, "", created, created, r.manager, r.status, created if decided is None else decided, decided,
               r.manager if decided and r.status != "expired" else None, "", r.keycloak_user_id,
               created + timedelta(days=1) if approved else None, created + timedelta(days=1) if approved else None,
               "", "")


def _audit_rows(requests: list[Request], now: datetime):
    for r in requests:
        at = now - timedelta(days=r.days_ago) + timedelta(hours=20)
        for action in AUDIT[r.status]:
            actor = "system" if action in ("provisioned", "expired") else r.manager
            detail = {"customer_number": r.customer_number, "keycloak_user_id": r.keycloak_user_id,
                      "email": r.email, "reason": "left the company"} if action == "revoked" else {}
            yield at, actor, action, r.index + 1, json.dumps(detail), ""


def _outbox_rows(requests: list[Request], now: datetime):
    """The e-mails of the form (manager's notice, requester's receipt) and, once approved, provisioning and
    activation: all done long ago."""
    for r in requests:
        created = now - timedelta(days=r.days_ago)
        kinds = [("mail", "notify"), ("mail", "receipt")]
        if r.status in ("approved", "revoked"):
            kinds += [("provision", "provision"), ("activation", "activation")]
        for kind, what in kinds:
            payload = {"request_id": r.index + 1} if kind != "mail" else \
                {"to": r.manager if what == "notify" else r.email, "subject": what, "text": "", "html": ""}
            yield (kind, json.dumps(payload), f"request:{r.index + 1}:{what}", "sent", 1, created, "", created, created,
                   created)


def fill_requests(dsn: str, plan: Plan) -> dict[str, int]:
    """The requests, their audit events and their sent outbox rows, in one transaction."""
    now = datetime.now(timezone.utc)
    requests = plan.requests
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        for table, columns, rows in (
            ("access_request", ("id", "customer_number", "company", "first_name", "last_name", "email", "phone",
                                "job_title", "language", "message", "privacy_consent_at", "created_at",
                                "assigned_manager_email",
                                "status", "updated_at", "decided_at", "decided_by", "decision_note",
                                "keycloak_user_id", "activation_due_at", "activation_sent_at", "provisioning_error",
                                "vouched_by"), _request_rows(requests, now)),
            ("audit_event", ("at", "actor", "action", "request_id", "detail", "remote_addr"), _audit_rows(requests, now)),
            ("outbox", ("kind", "payload", "idempotency_key", "status", "attempts", "next_attempt_at", "last_error",
                        "created_at", "claimed_at", "done_at"), _outbox_rows(requests, now)),
        ):
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        cursor.execute("SELECT setval(pg_get_serial_sequence('access_request', 'id'), (SELECT max(id) FROM access_request))")
        cursor.execute("ANALYZE")
        counts = {table: cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("customer", "access_request", "audit_event", "outbox")}
    return counts


def prepare_database(env: dict[str, str], logs: Path) -> float:
    """Migrate the bridge's database to the code's schema (every run: the code may have moved on); seconds."""
    started = time.perf_counter()
    migrate(env, logs / "migrate.log")
    return time.perf_counter() - started
