"""The request form's limits: an office behind one address can send a request for each colleague, a flood
cannot, and nobody's address is spammed with receipts."""

from __future__ import annotations

from sqlalchemy import update

from bridge.core.db import session
from bridge.core.models import AccessRequest, RequestStatus
from tests.support.forms import submit_request


def colleague(index: int) -> str:
    return f"colleague.{index:02d}@pharmacie-centrale.example"


def test_twenty_colleagues_behind_one_address_each_get_their_request_through_despite_typos(make_bridge):
    client = make_bridge().test_client()
    for index in range(20):
        assert submit_request(client, "en", email=colleague(index), customer_number="1OOOO1").status_code == 400
        assert submit_request(client, "en", email=colleague(index)).status_code == 302, index


def test_a_flood_of_accepted_requests_from_one_address_is_stopped(make_bridge):
    client = make_bridge(REQUEST_LIMIT_PER_IP="5 per hour").test_client()
    codes = [submit_request(client, "en", email=colleague(index)).status_code for index in range(7)]
    assert codes == [302] * 5 + [429] * 2


def test_a_flood_of_refused_posts_is_stopped_too(make_bridge):
    client = make_bridge(REQUEST_ATTEMPT_LIMIT_PER_IP="10 per hour").test_client()
    codes = [submit_request(client, "en", customer_number="x").status_code for _ in range(12)]
    assert codes == [400] * 10 + [429] * 2


def test_one_persons_address_gets_at_most_three_requests_a_day(make_bridge):
    app = make_bridge()
    victim = "victim@pharmacie-centrale.example"
    codes = []
    for attempt in range(4):
        client = app.test_client()  # from anywhere: the limit is the address's
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{attempt + 1}"
        codes.append(submit_request(client, "en", email=victim.upper()).status_code)
        with app.app_context():  # a manager rejects it, so that the next one is not "pending"
            session().execute(update(AccessRequest).values(status=RequestStatus.REJECTED))
            session().commit()
    assert codes == [302, 302, 302, 429]
