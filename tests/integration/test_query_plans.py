"""On a real PostgreSQL, the review UI's pages find their rows through indexes, not by reading whole tables that
grow with the data (requests, audit events): every statement a page runs is explained with sequential scans
discouraged, and no scan of access_request or audit_event may be without an index condition (a sequential
scan, or an index read from end to end with a filter). The 100,000-partner benchmark measures the time; this
keeps the indexes from being lost."""

from __future__ import annotations

import re
import secrets
import time

import pytest
from sqlalchemy import text

from bridge.core.db import session
from bridge.core.migrate import upgrade
from bridge.directory.customers import import_customers
from bridge.keycloak.access import ADMIN_ROLE
from devstack.seed import DEMO_CUSTOMERS
from tests.support.keycloak_twin import KeycloakTwin
from tests.unit.review.test_bounded_pages import add_requests, counted

pytestmark = pytest.mark.integration
GROWING = ("access_request", "audit_event")


@pytest.fixture
def app(postgres, make_app):
    url = postgres.create_database("plans")
    upgrade(url)
    bridge = make_app(DATABASE_URL=url)
    bridge.extensions["bridge.keycloak"] = KeycloakTwin()  # the pages' Keycloak part is not what is checked here
    with bridge.app_context():
        import_customers(session(), DEMO_CUSTOMERS.read_bytes(), bridge.config["CUSTOMER_NUMBER_PATTERN"])
    return bridge


def admin_client(app):
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["reviewer"] = {"email": "admin@woundwo.example", "name": "Admin", "roles": [ADMIN_ROLE]}
        cookie["seen_at"] = cookie["signed_in_at"] = time.time()
        cookie["sid"] = secrets.token_urlsafe(16)
    return client


def full_scans(app, client, path: str) -> list[str]:
    """The growing tables some statement of the page still reads whole, with the statement."""
    with counted(app) as seen:
        assert client.get(path).status_code == 200
    captured = [(statement, parameters) for statement, parameters in seen
                if statement.lstrip().upper().startswith("SELECT")]
    found = []
    with app.extensions["bridge.engine"].connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in captured:
            plan = [row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)]
            found += [f"{table}: {statement.split(chr(10))[0][:80]}…" for table in unbounded_scans(plan)]
    return found


def unbounded_scans(plan: list[str], growing: tuple[str, ...] = GROWING) -> list[str]:
    """The growing tables that a node of an EXPLAIN plan reads without an index condition."""
    found, node = [], None
    for line in plan + ["->"]:  # a last node boundary closes the last node
        if "->" in line or node is None:
            if node and node["table"] in growing and not node["bounded"]:
                found.append(node["table"])
            scan = re.search(r"Scan(?: using \S+)? on (\w+)", line)
            node = {"table": scan.group(1) if scan else "", "bounded": False}
        if "Index Cond:" in line or "Recheck Cond:" in line:
            node["bounded"] = True
    return found


# The queue's pending requests (its default) and a request's page; "all" statuses are counted and ordered over
# the whole table by nature.
@pytest.mark.parametrize("path", ["/manage/", "/manage/?page=2", "/manage/requests/{last}"])
def test_the_review_pages_read_no_growing_table_whole(app, path):
    last = add_requests(app, 120)
    with app.app_context():
        session().execute(text("ANALYZE"))
        session().commit()
    assert full_scans(app, admin_client(app), path.format(last=last)) == []


def test_the_admins_queue_counts_without_the_directory_and_lists_its_regions_through_the_index(app):
    """The directory (100,000 customers in production) is read only for the page's rows: the count of 10,000
    pending requests joined it whole, and the region filter's list read every customer (docs/benchmarks.md §7)."""
    add_requests(app, 120)
    with app.app_context():
        session().execute(text(
            "INSERT INTO customer (customer_number, company, country, postal_code, region, manager_email, "
            "manager_language, updated_at, suspension) SELECT (900000 + n)::text, 'Company ' || n, 'FR', '75001', "
            "'region ' || (n % 7), 'manager.' || (n % 8) || '@woundwo.example', 'fr', now(), '' "
            "FROM generate_series(1, 5000) AS n"))
        session().execute(text("ANALYZE"))
        session().commit()
    with counted(app) as seen:
        assert admin_client(app).get("/manage/").status_code == 200
    [count] = [statement for statement, _ in seen if "count(" in statement.lower()]
    assert "customer" not in count.lower()
    [regions] = [(statement, parameters) for statement, parameters in seen if "RECURSIVE regions" in statement]
    with app.extensions["bridge.engine"].connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        plan = [row[0] for row in connection.exec_driver_sql("EXPLAIN " + regions[0], regions[1])]
    assert unbounded_scans(plan, ("customer",)) == [], "\n".join(plan)
