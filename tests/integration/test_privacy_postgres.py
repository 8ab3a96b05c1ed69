"""The retention round on a real PostgreSQL, migrated like production: the JSON look-ups it uses (an e-mail's
recipient, an audit event's address) work there too, and afterwards no text or JSON column of any table holds the
people's values while the decision history adds up. Keycloak is the twin here: retention never asks it."""

from __future__ import annotations

import pytest

from bridge import create_app
from bridge.core.db import session
from bridge.core.migrate import upgrade
from bridge.directory.customers import import_customers
from devstack.seed import DEMO_CUSTOMERS
from tests.support.keycloak_twin import KeycloakTwin
from tests.unit.conftest import UNIT_SETTINGS, MailRecorder, reviewer_client  # noqa: F401 (a fixture)
from tests.unit.privacy.conftest import ACTIVE, ENDED, EXPIRED, REJECTED, WROTE, decision_history, everyone  # noqa: F401
from tests.unit.privacy.test_retention import forget, holding


@pytest.fixture
def twin() -> KeycloakTwin:
    return KeycloakTwin()


@pytest.fixture
def app(postgres, twin):
    url = postgres.create_database("privacy")
    upgrade(url)
    bridge = create_app({**UNIT_SETTINGS, "DATABASE_URL": url}, keycloak=twin, mail=MailRecorder())
    with bridge.app_context():
        import_customers(session(), DEMO_CUSTOMERS.read_bytes(), bridge.config["CUSTOMER_NUMBER_PATTERN"])
    yield bridge
    bridge.extensions["bridge.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def test_on_postgresql_the_retention_round_leaves_nothing_of_closed_requests_and_sent_mails(app, everyone):
    history = decision_history(app)
    assert forget(app, 31)["mails"] > 0 and holding(app, WROTE) == []
    assert forget(app, 91)["requests"] == 3
    assert holding(app, REJECTED, EXPIRED, ENDED, WROTE) == [] and holding(app, ACTIVE)
    assert decision_history(app) == history
    assert forget(app, 200) == {"requests": 0, "events": 0, "mails": 0}
