"""A yearly confirmation's people: a team admin of customer 100001 (region west) with a colleague, and a partner
of customer 100002 (region east, no team admin: its regional manager answers); rounds run as of chosen instants."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bridge.confirmation import rounds
from bridge.core.db import session
from bridge.core.models import Confirmation, ConfirmationEntry
from bridge.keycloak.access import PARTNER_ROLE, TEAM_ADMIN_ROLE
from tests.unit.team.conftest import ADMIN_EMAIL, COLLEAGUE_EMAIL, EAST_EMAIL, person

START = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def people(twin) -> dict[str, str]:
    """Keycloak ids by address: the west team admin (German), their colleague, the east partner."""
    return {
        ADMIN_EMAIL: person(twin, ADMIN_EMAIL, "100001", PARTNER_ROLE, TEAM_ADMIN_ROLE, first_name="Inès",
                            last_name="Roux"),
        COLLEAGUE_EMAIL: person(twin, COLLEAGUE_EMAIL, "100001", PARTNER_ROLE),
        EAST_EMAIL: person(twin, EAST_EMAIL, "100002", PARTNER_ROLE, first_name="Max", last_name="Weber"),
    }


def start_round(app, now: datetime = START, key: str = "test"):
    with app.app_context():
        started = rounds.start(session(), app.extensions["bridge.worker_keycloak"], key, now, app.config)
        return started.id


def step(app, now: datetime) -> dict[str, int]:
    with app.app_context():
        return rounds.step(session(), app.extensions["bridge.worker_keycloak"], app.extensions["bridge.broadcast"],
                           now, app.config)


def answers_of(app) -> dict[str, str]:
    """Keycloak id → answer, in the latest round."""
    with app.app_context():
        return dict(session().execute(select(ConfirmationEntry.keycloak_user_id, ConfirmationEntry.answer)
                                      .join(Confirmation).where(Confirmation.round_id == rounds.latest(session()).id)).all())
