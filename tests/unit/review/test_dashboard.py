"""The dashboard's numbers for a known set of requests: open ones by age, the last 90 days' decisions, the
time to decision (median and 90th percentile) per week and per region, expired and escalated; scoped like
the queue (a manager sees their regions, an admin all or one region)."""

from __future__ import annotations

import re
import pytest

from bridge.core.db import session
from bridge.core.models import utcnow
from bridge.keycloak.access import ADMIN_ROLE
from bridge.review.dashboard import Waits, chart
from tests.support.waiting import add_known_requests
from tests.unit.review.conftest import ADMIN


def table(html: str, table_id: str) -> list[list[str]]:
    """A table's rows as lists of cell texts (tags dropped, spaces squeezed)."""
    body = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.fixture
def known(app):
    with app.app_context():
        add_known_requests(session(), utcnow())


def test_an_admin_sees_every_region(reviewer_client, known):
    page = reviewer_client(ADMIN, ADMIN_ROLE).get("/manage/dashboard").get_data(as_text=True)
    assert "Open requests: 4" in page
    assert table(page, "open-by-age") == [["Waiting for", "Requests"], ["less than a day", "1"], ["1 to 2 days", "1"],
                                          ["3 to 6 days", "1"], ["7 to 13 days", "0"], ["14 days or more", "1"]]
    assert table(page, "last-days") == [["Approvals", "3"], ["Rejections", "1"], ["Expired without a decision", "1"],
                                        ["Escalated to a deputy", "1"]]
    # west: 2, 10, 30 h → median 10 h, 90th percentile 30 h; east: 50 h → 2.1 d
    assert table(page, "by-region")[1:] == [["East", "1", "1", "2.1 d", "2.1 d"], ["West", "3", "3", "10 h", "30 h"]]
    weekly = table(page, "weekly")[1:]
    assert sum(int(row[1]) for row in weekly) == 4


def test_an_admin_filters_one_region(reviewer_client, known):
    page = reviewer_client(ADMIN, ADMIN_ROLE).get("/manage/dashboard?region=east").get_data(as_text=True)
    assert "Open requests: 1" in page and table(page, "by-region")[1:] == [["East", "1", "1", "2.1 d", "2.1 d"]]


def test_a_manager_sees_their_regions_only_and_cannot_widen_them(west, known):
    page = west.get("/manage/dashboard?region=east").get_data(as_text=True)
    assert "Open requests: 3" in page
    assert table(page, "by-region")[1:] == [["West", "3", "3", "10 h", "30 h"]]
    assert table(page, "last-days")[:2] == [["Approvals", "2"], ["Rejections", "1"]]


def test_a_german_page_writes_numbers_and_units_in_german(west, known):
    page = west.get("/manage/dashboard?lang=de").get_data(as_text=True)
    assert table(page, "by-region")[1] == ["West", "3", "3", "10 Std.", "30 Std."]


@pytest.mark.parametrize("hours, expected", [
    ([], Waits(0, None, None)),
    ([5.0], Waits(1, 5.0, 5.0)),
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], Waits(10, 5.5, 9.0)),
    ([30.0, 2.0, 10.0], Waits(3, 10.0, 30.0)),
])
def test_median_and_nearest_rank_90th_percentile(hours, expected):
    assert Waits.of(hours) == expected


def test_the_chart_scales_to_the_largest_90th_percentile():
    weeks = [(None, Waits(1, 10.0, 20.0)), (None, Waits(0, None, None)), (None, Waits(2, 20.0, 40.0))]
    bars, top = chart(weeks, width=300, height=100)
    assert top == 40.0
    assert [round(bar.median_y) for bar in bars] == [75, 100, 50] and [round(bar.p90_y) for bar in bars] == [50, 100, 0]
    assert [round(bar.x) for bar in bars] == [15, 115, 215]
