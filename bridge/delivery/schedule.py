"""When the activation e-mail goes out: the next calendar day at 04:00, company time."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

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
