"""Admins download the decision history of a period as CSV: the column contract of docs/audit-export.md, one
row per decision with its role, the set-up and the activation, cells a spreadsheet would run as formulas
defused, and nothing for managers."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, utcnow
from bridge.delivery import follow_up
from bridge.keycloak.access import ADMIN_ROLE
from bridge.review.export import COLUMNS
from tests.support.forms import submit_request
from tests.support.worker import run_outbox
from tests.unit.review.conftest import ADMIN, WEST, post

# The contract: these names, in this order (docs/audit-export.md). Change it only by adding at the end.
CONTRACT = ("decided_at,decision,decided_by,decided_as,reason,request_id,received_at,customer_number,"
            "customer_company,region,assigned_manager,escalated_to,provisioned_at,provisioned_by,activation_sent_at")


def today() -> str:
    return utcnow().astimezone(ZoneInfo("Europe/Paris")).date().isoformat()


def download(client, first: str, last: str):
    return client.get(f"/manage/export?first_day={first}&last_day={last}")


def rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def admin(reviewer_client):
    return reviewer_client(ADMIN, ADMIN_ROLE)


@pytest.fixture
def decided(app, client, west):
    """Three requests of customer 100001: approved by its manager (set up, activation sent), rejected by
    an admin with a reason a spreadsheet would run, and one that expired."""
    for email in ("a.first@pharmacie-centrale.example", "b.second@pharmacie-centrale.example",
                  "c.third@pharmacie-centrale.example"):
        assert submit_request(client, "fr", email=email).status_code == 302
    with app.app_context():
        first, second, third = session().scalars(select(AccessRequest.id).order_by(AccessRequest.id)).all()
    assert post(west, f"/manage/requests/{first}/approve", confirmed="yes").status_code == 302
    run_outbox(app, kinds=("provision",))
    run_outbox(app, utcnow() + timedelta(days=2), kinds=("activation",))
    return first, second, third


def test_the_header_is_the_documented_contract():
    assert ",".join(COLUMNS) == CONTRACT


def test_one_row_per_decision_with_role_set_up_and_activation(app, admin, decided, reviewer_client):
    first, second, third = decided
    assert post(admin, f"/manage/requests/{second}/reject", reason="=HYPERLINK(\"http://evil\")").status_code == 302
    with app.app_context():
        app.config["REQUEST_EXPIRY_DAYS"] = 1
        follow_up.follow_up(session(), utcnow() + timedelta(days=1, minutes=1), app.config)
    response = download(admin, today(), (utcnow() + timedelta(days=3)).date().isoformat())
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).splitlines()[0] == CONTRACT
    by_request = {int(row["request_id"]): row for row in rows(response)}
    assert sorted(by_request) == [first, second, third]
    approved, rejected, expired = by_request[first], by_request[second], by_request[third]
    assert (approved["decision"], approved["decided_by"], approved["decided_as"]) == ("approved", WEST, "manager")
    assert approved["provisioned_by"] == "system" and approved["provisioned_at"] and approved["activation_sent_at"]
    assert (approved["customer_number"], approved["region"], approved["assigned_manager"]) == ("100001", "west", WEST)
    assert (rejected["decision"], rejected["decided_by"], rejected["decided_as"]) == ("rejected", ADMIN, "admin")
    assert rejected["reason"] == "'=HYPERLINK(\"http://evil\")", "a formula is written as text"
    assert (expired["decision"], expired["decided_by"], expired["decided_as"]) == ("expired", "system", "system")
    assert not any("pharmacie-centrale.example" in value for row in by_request.values() for value in row.values())


def test_the_period_is_of_whole_days_and_excludes_the_rest(admin, decided):
    yesterday = (utcnow().astimezone(ZoneInfo("Europe/Paris")) - timedelta(days=1)).date().isoformat()
    assert rows(download(admin, yesterday, yesterday)) == []
    assert len(rows(download(admin, today(), today()))) == 1


@pytest.mark.parametrize("first, last, message", [
    ("", "2026-12-01", "Please give a date"),
    ("yesterday", "2026-12-01", "Please give a date"),
    ("2026-12-05", "2026-12-01", "cannot be before the first"),
])
def test_a_wrong_period_gets_a_clear_message(admin, first, last, message):
    response = download(admin, first, last)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_managers_have_no_export(west):
    assert west.get("/manage/export").status_code == 404
    assert download(west, today(), today()).status_code == 404


def test_without_a_period_the_page_offers_the_last_90_days(admin):
    page = admin.get("/manage/export").get_data(as_text=True)
    assert f'value="{today()}"' in page and 'id="download"' in page
