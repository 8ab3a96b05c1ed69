"""Closed requests lose their personal fields after BRIDGE_REQUEST_RETENTION_DAYS, sent e-mails their content after
BRIDGE_MAIL_RETENTION_DAYS; a query over every table finds nothing of those people afterwards, while the decision
history still adds up and the people with access keep their data."""

from __future__ import annotations

from datetime import timedelta

from bridge.core import audit
from bridge.core.db import session
from bridge.core.models import AccessRequest, utcnow
from bridge.keycloak.access import MANAGER_ROLE
from bridge.privacy import retention
from tests.support.personal_data import places_holding
from tests.unit.privacy.conftest import ACTIVE, ENDED, EXPIRED, REJECTED, WROTE, decision_history
from tests.unit.review.conftest import WEST


def forget(app, days: float) -> dict[str, int]:
    with app.app_context():
        return retention.forget(session(), utcnow() + timedelta(days=days), app.config, app.secret_key)


def holding(app, *people) -> list[str]:
    with app.app_context():
        return places_holding(session(), [value for person in people for value in person.values if value])


def test_after_90_days_nothing_of_the_closed_requests_and_sent_mails_is_left_and_the_history_adds_up(app, everyone):
    history = decision_history(app)
    assert holding(app, REJECTED, EXPIRED, ENDED, WROTE), "the scenario must first store them"
    forget(app, 91)
    assert holding(app, REJECTED, EXPIRED, ENDED, WROTE) == []
    assert decision_history(app) == history
    with app.app_context():  # the person with access keeps their request as it was
        active = session().get(AccessRequest, everyone[ACTIVE])
        assert (active.first_name, active.email, active.phone) == (ACTIVE.first_name, ACTIVE.email, ACTIVE.phone)
        assert session().get(AccessRequest, everyone[REJECTED]).customer_number == "100001"


def test_sent_mails_go_after_30_days_and_closed_requests_only_after_90(app, everyone):
    assert forget(app, 29) == {"requests": 0, "events": 0, "mails": 0}
    assert forget(app, 31)["mails"] > 0
    assert holding(app, WROTE) == [], "a contact message lives only in its e-mail"
    assert holding(app, REJECTED), "the request itself is kept until 90 days"
    assert forget(app, 89)["requests"] == 0
    assert forget(app, 91)["requests"] == 3
    assert forget(app, 200) == {"requests": 0, "events": 0, "mails": 0}, "once is enough"


def test_the_periods_are_settings(app, everyone):
    app.config.update(REQUEST_RETENTION_DAYS=10, MAIL_RETENTION_DAYS=5)
    assert forget(app, 6)["requests"] == 0 and holding(app, WROTE) == [] and holding(app, REJECTED)
    assert forget(app, 11)["requests"] == 3 and holding(app, REJECTED, EXPIRED, ENDED) == []


def test_the_review_ui_still_shows_forgotten_requests_and_their_history(app, everyone, reviewer_client):
    west = reviewer_client(WEST, MANAGER_ROLE)
    with app.app_context():  # a manager corrected the ended person's name once (the history keeps which field)
        audit.record(session(), WEST, "retried", everyone[ENDED], "", utcnow(), changes={"last_name": [ENDED.last_name, "X"]})
        session().commit()
    forget(app, 91)
    for person in (REJECTED, EXPIRED, ENDED, ACTIVE):
        page = west.get(f"/manage/requests/{everyone[person]}")
        assert page.status_code == 200, person
        assert ENDED.last_name not in page.get_data(as_text=True)
    assert west.get("/manage/?status=revoked").status_code == 200
