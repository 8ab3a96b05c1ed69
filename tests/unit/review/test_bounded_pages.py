"""The review UI's pages ask the database a fixed number of statements, however many requests, decisions and
audit events there are, and Keycloak a number of calls that does not grow with the realm: ten times the data
costs no extra round trip (the 100,000-partner benchmark in docs/benchmarks.md §7 measures the time; this
keeps the shape)."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import event

from bridge.core.db import session
from bridge.core.models import AccessRequest, AuditEvent, RequestStatus, utcnow
from bridge.keycloak.access import ADMIN_ROLE, TEAM_ADMIN_ROLE
from tests.unit.review.conftest import ADMIN, WEST, partner


@contextlib.contextmanager
def counted(app):
    """The SQL statements run inside the block, as a list of (statement, parameters)."""
    seen: list[tuple[str, object]] = []
    engine = app.extensions["bridge.engine"]

    def count(_connection, _cursor, statement, parameters, *_):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def add_requests(app, how_many: int) -> int:
    """`how_many` requests for customer 100001, a third of them decided, each with two audit events; return the
    id of the last one."""
    now = utcnow()
    with app.app_context():
        for n in range(how_many):
            created = now - timedelta(hours=n + 1)
            decided = n % 3 == 0
            request = AccessRequest(
                customer_number="100001", company="Pharmacie Centrale", first_name="Lou", last_name=f"Brun {n}",
                email=f"lou.{n}.{how_many}@pharmacie-centrale.example", language="fr", privacy_consent_at=created,
                assigned_manager_email=WEST, status=RequestStatus.APPROVED if decided else RequestStatus.PENDING,
                created_at=created, decided_at=now if decided else None, decided_by=WEST if decided else None)
            session().add(request)
            session().flush()
            session().add_all([AuditEvent(at=now, actor=WEST, action="approved", request_id=request.id),
                               AuditEvent(at=now, actor="system", action="revoked", request_id=request.id,
                                          detail={"customer_number": "100001", "keycloak_user_id": f"user-{n}",
                                                  "email": request.email})])
        session().commit()
        return request.id


def statements_for(app, client, path: str) -> int:
    with counted(app) as seen:
        response = client.get(path)
        assert response.status_code == 200 and response.get_data()  # a streamed export runs while it is read
    return len(seen)


@pytest.mark.parametrize("path", ["/manage/?status=all", "/manage/?status=all&page=9999", "/manage/dashboard",
                                  "/manage/requests/{last}", "/manage/export?first_day=2020-01-01&last_day=2030-01-01"])
def test_a_page_costs_the_same_statements_with_ten_times_the_data(app, reviewer_client, path):
    admin = reviewer_client(ADMIN, ADMIN_ROLE)
    last = add_requests(app, 12)
    small = statements_for(app, admin, path.format(last=last))
    last = add_requests(app, 120)
    assert statements_for(app, admin, path.format(last=last)) == small


def team_admins_elsewhere(twin, how_many: int) -> None:
    """`how_many` team admins of other customers (each realm grows by thousands of them)."""
    for n in range(how_many):
        user_id = twin.ensure_user(f"team.admin.{n}.{how_many}@elsewhere.example", "Ada", "Roth", "de",
                                   {"customer_number": "100002"})
        twin.grant_realm_role(user_id, TEAM_ADMIN_ROLE)


def keycloak_calls_for(twin, client, path: str) -> list[str]:
    twin.calls.clear()
    assert client.get(path).status_code == 200
    return sorted(twin.calls)


def test_a_request_page_asks_keycloak_the_same_with_ten_times_the_team_admins_elsewhere(app, twin, reviewer_client,
                                                                                        west_request):
    partner(twin)  # the customer has people, whose team admins the page shows
    admin = reviewer_client(ADMIN, ADMIN_ROLE)
    team_admins_elsewhere(twin, 20)
    small = keycloak_calls_for(twin, admin, f"/manage/requests/{west_request}")
    team_admins_elsewhere(twin, 200)
    assert keycloak_calls_for(twin, admin, f"/manage/requests/{west_request}") == small
