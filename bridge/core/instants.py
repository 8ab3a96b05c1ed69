"""The `--now` option of the commands that run time-dependent work as of a chosen instant (a demo, a test)."""

from __future__ import annotations

from datetime import datetime, timezone

import click

from bridge.core.models import utcnow

now_option = click.option(
    "--now", "moment", type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z",
                                                    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]),
    help="Run as of this instant (ISO 8601; without a zone: UTC), e.g. for a demo.")


def as_of(moment: datetime | None) -> datetime:
    """The instant a `--now` option gives (UTC when it names no zone), or the present."""
    if moment is None:
        return utcnow()
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
