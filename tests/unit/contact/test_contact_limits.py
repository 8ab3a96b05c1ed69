"""The contact form's limits: a flood from one address, for one sender or towards one manager is stopped,
and refused posts do not use up what an office may send."""

from __future__ import annotations

import pytest

from tests.support.forms import send_contact


def test_a_flood_of_messages_from_one_client_is_stopped(make_bridge):
    client = make_bridge(CONTACT_LIMIT_PER_IP="3 per hour").test_client()
    codes = [send_contact(client, "en", message=f"Question {index}").status_code for index in range(5)]
    assert codes == [302] * 3 + [429] * 2


def test_refused_posts_do_not_count_against_the_accepted_messages(make_bridge):
    client = make_bridge(CONTACT_LIMIT_PER_IP="2 per hour").test_client()
    assert [send_contact(client, "en", customer_number="999999").status_code for _ in range(4)] == [400] * 4
    assert [send_contact(client, "en", message=f"Question {index}").status_code for index in range(2)] == [302] * 2


def test_a_flood_of_refused_posts_is_stopped_too(make_bridge):
    client = make_bridge(REQUEST_ATTEMPT_LIMIT_PER_IP="5 per hour").test_client()
    codes = [send_contact(client, "en", customer_number="x").status_code for _ in range(7)]
    assert codes == [400] * 5 + [429] * 2


@pytest.mark.parametrize("limit, varies", [
    ("CONTACT_LIMIT_PER_CUSTOMER", "email"),  # many senders, one manager's inbox
    ("CONTACT_LIMIT_PER_EMAIL", "customer_number"),  # one sender, many customers
])
def test_one_manager_and_one_sender_get_at_most_their_days_share_from_anywhere(make_bridge, limit, varies):
    app = make_bridge(**{limit: "2 per day"})
    codes = []
    for attempt in range(3):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{attempt + 1}"
        value = {"email": f"sender.{attempt}@pharmacie-centrale.example",
                 "customer_number": ["100001", "100002", "100003"][attempt]}[varies]
        codes.append(send_contact(client, "en", **{varies: value}, message=f"Question {attempt}").status_code)
    assert codes == [302, 302, 429]


def test_past_a_limit_the_help_page_says_so_and_keeps_what_was_typed(make_bridge):
    client = make_bridge(CONTACT_LIMIT_PER_IP="1 per hour").test_client()
    send_contact(client, "en", message="First")
    response = send_contact(client, "en", message="Second question")
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "Too many messages" in page and "Second question" in page
