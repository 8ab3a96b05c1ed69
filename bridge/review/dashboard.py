"""The review dashboard's figures: how long partners wait for a decision, and how far the yearly confirmation
is, for managers (their regions) and admins (all, or one region). Computed from the requests at each view; the
waiting figures, as the database holds them, are on /metrics (bridge/core/metrics.py)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from bridge.confirmation.rounds import latest
from bridge.core.models import (AccessRequest, Answer, Confirmation, ConfirmationEntry, ConfirmationRound, Customer,
                                RequestStatus)
from bridge.delivery.schedule import local_day
from bridge.review.service import Reviewer

WINDOW_DAYS = 90
# Open requests by how long they have waited, in days: [from, to).
AGE_BANDS = ((0, 1), (1, 3), (3, 7), (7, 14), (14, None))
DECIDED = (RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.FAILED, RequestStatus.REVOKED)


@dataclass(frozen=True)
class Waits:
    """Times from request to decision, in hours: how many, the median and the 90th percentile (nearest rank:
    nine decisions in ten took at most this long)."""

    decisions: int
    median_hours: float | None
    p90_hours: float | None

    @classmethod
    def of(cls, hours: list[float]) -> "Waits":
        if not hours:
            return cls(0, None, None)
        ranked = sorted(hours)
        return cls(len(ranked), median(ranked), ranked[math.ceil(0.9 * len(ranked)) - 1])


@dataclass(frozen=True)
class Figures:
    open_by_age: list[tuple[tuple[int, int | None], int]]
    oldest_pending: datetime | None
    approved: int
    rejected: int
    weekly: list[tuple[date, Waits]]  # Monday of each week of the window, oldest first
    by_region: list[tuple[str, Waits, int]]  # region, waits, open requests
    expired: int
    escalated: int

    @property
    def open_total(self) -> int:
        return sum(count for _, count in self.open_by_age)


def manager_regions(session: Session, reviewer: Reviewer) -> list[str]:
    """The regions of the customers a manager is responsible for."""
    return list(session.scalars(select(Customer.region).where(Customer.manager_email == reviewer.email)
                                .distinct().order_by(Customer.region)))


def _scoped(session: Session, query: Select, reviewer: Reviewer, region: str) -> Select:
    """Admins: everything, or one region; a manager: their regions and whatever is assigned to them."""
    query = query.join(Customer, Customer.customer_number == AccessRequest.customer_number)
    if reviewer.is_admin:
        return query.where(Customer.region == region) if region else query
    return query.where(or_(Customer.region.in_(manager_regions(session, reviewer)),
                           AccessRequest.assigned_manager_email == reviewer.email))


def figures(session: Session, reviewer: Reviewer, now: datetime, time_zone: str, region: str = "") -> Figures:
    since = now - timedelta(days=WINDOW_DAYS)
    pending = session.execute(_scoped(session, select(AccessRequest.created_at, Customer.region), reviewer, region)
                              .where(AccessRequest.status == RequestStatus.PENDING)).all()
    decided = session.execute(_scoped(session, select(AccessRequest.created_at, AccessRequest.decided_at,
                                                      AccessRequest.status, Customer.region), reviewer, region)
                              .where(AccessRequest.status.in_(DECIDED), AccessRequest.decided_by.is_not(None),
                                     AccessRequest.decided_at >= since)).all()
    expired = session.scalar(_scoped(session, select(func.count(AccessRequest.id)), reviewer, region).where(
        AccessRequest.status == RequestStatus.EXPIRED, AccessRequest.updated_at >= since))
    escalated = session.scalar(_scoped(session, select(func.count(AccessRequest.id)), reviewer, region).where(
        AccessRequest.escalated_at >= since))

    ages = [(now - created).total_seconds() / 86400 for created, _ in pending]
    open_by_age = [((low, high), sum(1 for age in ages if low <= age and (high is None or age < high)))
                   for low, high in AGE_BANDS]
    hours_by_week, hours_by_region = defaultdict(list), defaultdict(list)
    for created, decided_at, _, request_region in decided:
        hours = (decided_at - created).total_seconds() / 3600
        day = local_day(decided_at, time_zone)
        hours_by_week[day - timedelta(days=day.weekday())].append(hours)
        hours_by_region[request_region].append(hours)
    first_monday = local_day(since, time_zone) - timedelta(days=local_day(since, time_zone).weekday())
    weeks = [first_monday + timedelta(weeks=n) for n in range((local_day(now, time_zone) - first_monday).days // 7 + 1)]
    open_by_region = defaultdict(int)
    for _, request_region in pending:
        open_by_region[request_region] += 1
    return Figures(
        open_by_age=open_by_age, oldest_pending=min((created for created, _ in pending), default=None),
        approved=sum(1 for row in decided if row.status != RequestStatus.REJECTED),
        rejected=sum(1 for row in decided if row.status == RequestStatus.REJECTED),
        weekly=[(week, Waits.of(hours_by_week[week])) for week in weeks],
        by_region=[(name, Waits.of(hours_by_region[name]), open_by_region[name])
                   for name in sorted(set(hours_by_region) | set(open_by_region))],
        expired=expired, escalated=escalated)


@dataclass(frozen=True)
class Bar:
    week: date
    x: float
    width: float
    median_y: float  # top of the median's bar
    p90_y: float  # the 90th percentile's mark
    waits: Waits


def chart(weekly: list[tuple[date, Waits]], width: int = 640, height: int = 200) -> tuple[list[Bar], float]:
    """Where each week's bar (median) and mark (90th percentile) go in an SVG of `width` × `height`, and the
    hours at the top of the scale (the largest 90th percentile, at least one day)."""
    top = max([waits.p90_hours for _, waits in weekly if waits.p90_hours] + [24.0])
    slot = width / max(len(weekly), 1)

    def y(hours: float | None) -> float:
        return height - height * (hours or 0) / top

    return [Bar(week, n * slot + slot * 0.15, slot * 0.7, y(waits.median_hours), y(waits.p90_hours), waits)
            for n, (week, waits) in enumerate(weekly)], top


@dataclass
class ConfirmationProgress:
    """A region's lists in the latest yearly confirmation: how many, how many fully answered, and the answers."""

    region: str
    lists: int = 0
    answered: int = 0  # lists with nobody left to answer for
    confirmed: int = 0
    removed: int = 0
    ended: int = 0  # access ended otherwise meanwhile, or by the round for those nobody confirmed
    unanswered: int = 0


def confirmation_progress(session: Session, reviewer: Reviewer, region: str = "") -> tuple[ConfirmationRound | None,
                                                                                          list[ConfirmationProgress]]:
    """The latest round's progress per region, in the reviewer's scope (as the other figures)."""
    last = latest(session)
    if last is None:
        return None, []
    query = (select(Customer.region, Confirmation.id, ConfirmationEntry.answer, func.count(ConfirmationEntry.id))
             .join(Confirmation, Confirmation.customer_number == Customer.customer_number)
             .join(ConfirmationEntry, ConfirmationEntry.confirmation_id == Confirmation.id)
             .where(Confirmation.round_id == last.id)
             .group_by(Customer.region, Confirmation.id, ConfirmationEntry.answer))
    if reviewer.is_admin:
        query = query.where(Customer.region == region) if region else query
    else:
        query = query.where(or_(Customer.region.in_(manager_regions(session, reviewer)),
                                Customer.manager_email == reviewer.email))
    regions: dict[str, ConfirmationProgress] = {}
    lists: dict[str, dict[int, bool]] = defaultdict(dict)  # region → list → still waits for an answer
    for list_region, confirmation_id, answer, count in session.execute(query):
        progress = regions.setdefault(list_region, ConfirmationProgress(list_region))
        field = {Answer.OPEN: "unanswered", Answer.CONFIRMED: "confirmed", Answer.REMOVED: "removed"}.get(answer, "ended")
        setattr(progress, field, getattr(progress, field) + count)
        lists[list_region][confirmation_id] = lists[list_region].get(confirmation_id, False) or answer == Answer.OPEN
    for list_region, progress in regions.items():
        progress.lists = len(lists[list_region])
        progress.answered = sum(1 for waits in lists[list_region].values() if not waits)
    return last, [regions[name] for name in sorted(regions)]
