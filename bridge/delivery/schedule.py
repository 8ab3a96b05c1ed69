"""When things happen: the activation e-mail the next calendar day at 04:00 company time; reminders after
working days of the customer's country (weekends and its public holidays excluded)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

ACTIVATION_TIME = time(4, 0)


def next_activation(decided_at: datetime, time_zone: str) -> datetime:
    """04:00 on the calendar day after `decided_at` (in `time_zone`), returned in UTC.

    Computed on the local calendar, so DST change days keep 04:00 local (04:00 exists on both
    change days in Europe/Paris: the clocks move at 02:00 and 03:00).
    """
    zone = ZoneInfo(time_zone)
    local_day = decided_at.astimezone(zone).date()
    activation = datetime.combine(local_day + timedelta(days=1), ACTIVATION_TIME, tzinfo=zone)
    return activation.astimezone(timezone.utc)


@lru_cache(maxsize=64)
def _public_holidays(country: str) -> holidays.HolidayBase | frozenset:
    try:
        return holidays.country_holidays(country.upper())
    except NotImplementedError:  # a country the library does not know: weekends only
        return frozenset()


def local_day(moment: datetime, time_zone: str) -> date:
    """The calendar day `moment` falls on in `time_zone` (absences are given in days of company time)."""
    return moment.astimezone(ZoneInfo(time_zone)).date()


def days_between(first: date, last: date, time_zone: str) -> tuple[datetime, datetime]:
    """The instants (UTC) from the start of `first` to the end of `last` in `time_zone`: [start, end)."""
    zone = ZoneInfo(time_zone)
    return (datetime.combine(first, time(0), tzinfo=zone).astimezone(timezone.utc),
            datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc))


def is_working_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(country)


def working_days_later(start: datetime, days: int, country: str, time_zone: str) -> datetime:
    """The same local time of day `days` working days after `start` (in `time_zone`), returned in UTC."""
    zone = ZoneInfo(time_zone)
    local = start.astimezone(zone)
    day, counted = local.date(), 0
    while counted < days:
        day += timedelta(days=1)
        counted += is_working_day(day, country)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone).astimezone(timezone.utc)
