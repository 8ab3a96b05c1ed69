"""The next-day 04:00 activation instant, on ordinary days, DST change days, and around midnight and 04:00."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bridge.delivery.schedule import next_activation

PARIS = ZoneInfo("Europe/Paris")


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("decided, due", [
    # ordinary winter day (UTC+1)
    (paris(2026, 11, 27, 15, 30), utc(2026, 11, 28, 3, 0)),
    # ordinary summer day (UTC+2)
    (paris(2026, 7, 14, 10, 0), utc(2026, 7, 15, 2, 0)),
    # just before and just after midnight: the calendar day decides
    (paris(2026, 11, 27, 23, 59), utc(2026, 11, 28, 3, 0)),
    (paris(2026, 11, 28, 0, 1), utc(2026, 11, 29, 3, 0)),
    # just before and just after 04:00: never the same day, always the next one
    (paris(2026, 11, 28, 3, 59), utc(2026, 11, 29, 3, 0)),
    (paris(2026, 11, 28, 4, 1), utc(2026, 11, 29, 3, 0)),
    # the day before spring forward (29 March 2026, 02:00 -> 03:00): 04:00 is already UTC+2
    (paris(2026, 3, 28, 12, 0), utc(2026, 3, 29, 2, 0)),
    # on spring-forward day itself -> next day 04:00 UTC+2
    (paris(2026, 3, 29, 1, 30), utc(2026, 3, 30, 2, 0)),
    # the day before fall back (25 October 2026, 03:00 -> 02:00): 04:00 is UTC+1 again
    (paris(2026, 10, 24, 18, 0), utc(2026, 10, 25, 3, 0)),
    # during the repeated hour of fall-back day
    (datetime(2026, 10, 25, 2, 30, tzinfo=PARIS, fold=1), utc(2026, 10, 26, 3, 0)),
])
def test_next_calendar_day_at_four_local_time(decided, due):
    assert next_activation(decided.astimezone(timezone.utc), "Europe/Paris") == due


def test_decision_time_given_in_utc_is_read_on_the_company_calendar():
    # 23:30 UTC on 27 November is already 28 November 00:30 in Paris.
    assert next_activation(utc(2026, 11, 27, 23, 30), "Europe/Paris") == utc(2026, 11, 29, 3, 0)


def test_other_time_zones_are_honoured():
    assert next_activation(utc(2026, 11, 27, 12, 0), "America/New_York") == utc(2026, 11, 28, 9, 0)
