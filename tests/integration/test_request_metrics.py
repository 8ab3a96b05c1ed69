"""/metrics shows the access requests as the database holds them, on SQLite and on a real PostgreSQL (each
computes the time to decision in its own arithmetic): open requests by region, the oldest one's wait, and the
time-to-decision histogram, for the known set of tests/support/waiting.py."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bridge.core.db import session
from bridge.core.migrate import upgrade
from bridge.core.models import utcnow
from bridge.directory.customers import import_customers
from devstack.seed import DEMO_CUSTOMERS
from tests.support.waiting import add_known_requests

pytestmark = pytest.mark.integration
HOUR = 3600


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, make_app):
    if request.param == "sqlite":
        bridge = make_app()
    else:
        url = request.getfixturevalue("postgres").create_database("metrics")
        upgrade(url)
        bridge = make_app(DATABASE_URL=url)
    with bridge.app_context():
        import_customers(session(), DEMO_CUSTOMERS.read_bytes(), bridge.config["CUSTOMER_NUMBER_PATTERN"])
    return bridge


def samples(app) -> dict[tuple[str, tuple], float]:
    text = app.test_client().get("/metrics").get_data(as_text=True)
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) if family.name.startswith("bridge_request")
            for sample in family.samples}


def test_open_requests_the_oldest_wait_and_the_decision_histogram(app):
    assert samples(app)[("bridge_requests_oldest_pending_seconds", ())] == 0
    with app.app_context():
        add_known_requests(session(), utcnow())
    seen = samples(app)
    assert seen[("bridge_requests_open", (("region", "east"),))] == 1
    assert seen[("bridge_requests_open", (("region", "west"),))] == 3
    assert 20 * 24 * HOUR <= seen[("bridge_requests_oldest_pending_seconds", ())] < 20 * 24 * HOUR + 60
    # Decisions after 2, 10, 30, 50 and 119 hours.
    buckets = {dict(labels)["le"]: value for (name, labels), value in seen.items()
               if name == "bridge_request_decision_seconds_bucket"}
    assert buckets == {"3600.0": 0, "14400.0": 1, "28800.0": 1, "86400.0": 2, "172800.0": 3, "259200.0": 4,
                       "432000.0": 5, "604800.0": 5, "1209600.0": 5, "2592000.0": 5, "+Inf": 5}
    assert seen[("bridge_request_decision_seconds_count", ())] == 5
    assert seen[("bridge_request_decision_seconds_sum", ())] == pytest.approx(211 * HOUR, abs=1)
