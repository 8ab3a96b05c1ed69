"""The manager's screens as people read them: approving asks once, the queue opens on what waits, codes are
shown as names in the page's language, and e-mail addresses wrap at "@" and "." only."""

from __future__ import annotations

import pytest

from bridge.core.models import RequestStatus
from tests.unit.review.conftest import audit, outbox_kinds, post, stored


def test_approving_asks_once_and_changes_nothing_until_confirmed(app, west, west_request):
    asked = post(west, f"/manage/requests/{west_request}/approve", note="known customer")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'id="confirm-approval"' in page and "Approve access for Zoé Durand?" in page
    assert 'name="note" value="known customer"' in page, "the note is carried to the confirmation"
    assert stored(app, west_request).status == RequestStatus.PENDING and "provision" not in outbox_kinds(app)
    assert post(west, f"/manage/requests/{west_request}/approve", note="known customer",
                confirmed="yes").status_code == 302
    request = stored(app, west_request)
    assert request.status == RequestStatus.APPROVED and request.decision_note == "known customer"
    assert [action for _, action in audit(app)].count("approved") == 1


def test_the_queue_opens_on_pending_requests_and_all_shows_every_one(app, west, west_request, client):
    from tests.support.forms import submit_request
    assert submit_request(client, "fr", email="second.person@pharmacie-centrale.example").status_code == 302
    post(west, f"/manage/requests/{west_request}/approve", confirmed="yes")
    opened = west.get("/manage/").get_data(as_text=True)
    assert "second<wbr>.person" in opened and f"/manage/requests/{west_request}" not in opened
    assert '<option value="pending" selected>' in opened
    every = west.get("/manage/?status=all").get_data(as_text=True)
    assert "second<wbr>.person" in every and f"/manage/requests/{west_request}" in every


@pytest.mark.parametrize("lang, language, country, region", [
    ("fr", "Allemand", "France", "Ouest"), ("de", "Deutsch", "Frankreich", "West"), ("en", "German", "France", "West")])
def test_language_country_and_region_are_names_in_the_pages_language(west, west_request, lang, language, country,
                                                                      region):
    page = west.get(f"/manage/requests/{west_request}?lang={lang}").get_data(as_text=True)
    assert f"<td>{language}</td>" in page and f"44000 {country}</td>" in page and f"<td>{region}</td>" in page


def test_addresses_break_before_at_and_dots_and_stay_escaped(app):
    with app.app_context():
        breakable = app.jinja_env.filters["breakable"]
        assert str(breakable("zoe.durand@pharmacie-centrale.example")) == \
            '<span class="address">zoe<wbr>.durand<wbr>@pharmacie-centrale<wbr>.example</span>'
        assert str(breakable('a<b>"@x.fr')) == '<span class="address">a&lt;b&gt;&#34;<wbr>@x<wbr>.fr</span>'
