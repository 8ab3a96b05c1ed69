"""A known set of access requests for the figures of the dashboard and of /metrics (customers 100001, region
west, manager.west, and 100002, region east, manager.east, as in the demo directory)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bridge.core.models import AccessRequest, RequestStatus

WEST, EAST = "manager.west@woundwo.example", "manager.east@woundwo.example"


def add_known_requests(session, now: datetime, tag: str = "") -> None:
    """West: three open (½ day, 4 days, 20 days; the 4-day one escalated yesterday), decisions after 2 h, 10 h
    and 30 h, one decided after 119 h 95 days ago (outside the dashboard's 90 days), one expired three days
    ago; east: one open for 2 days, one decided after 50 h."""

    def add(number, manager, received_days_ago, status=RequestStatus.PENDING, decided_after_hours=None, **extra):
        created = now - timedelta(days=received_days_ago)
        decided = created + timedelta(hours=decided_after_hours) if decided_after_hours is not None else None
        session.add(AccessRequest(
            customer_number=number, company="C", first_name="A", last_name="B",
            email=f"p{len(session.new)}.{received_days_ago}{tag}@example.com", language="fr", privacy_consent_at=created,
            assigned_manager_email=manager, status=status, created_at=created, updated_at=extra.pop("updated_at", created),
            decided_at=decided, decided_by=manager if decided else None, **extra))

    add("100001", WEST, 0.5)
    add("100001", WEST, 4, escalated_at=now - timedelta(days=1), escalated_to="deputy@woundwo.example")
    add("100001", WEST, 20)
    add("100001", WEST, 10, RequestStatus.APPROVED, 2)
    add("100001", WEST, 9, RequestStatus.APPROVED, 10)
    add("100001", WEST, 8, RequestStatus.REJECTED, 30)
    add("100001", WEST, 100, RequestStatus.APPROVED, 119)
    add("100001", WEST, 33, RequestStatus.EXPIRED, updated_at=now - timedelta(days=3))
    add("100002", EAST, 2)
    add("100002", EAST, 7, RequestStatus.APPROVED, 50)
    session.commit()
