"""Times in the review UI as each language writes them, in the company time zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale

from bridge.core.models import utcnow
from bridge.review.views import age, when

FOUR_IN_PARIS = datetime(2026, 12, 2, 3, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("language, medium, full", [
    ("de", "2. Dez. 2026, 04:00", "Mittwoch, 2. Dezember 2026, 04:00"),
    ("fr", "2 déc. 2026, 04:00", "mercredi 2 décembre 2026, 04:00"),
    ("en", "Dec 2, 2026, 4:00\u202fAM", "Wednesday, December 2, 2026, 4:00\u202fAM"),
])
def test_dates_follow_the_languages_own_patterns(app, language, medium, full):
    with app.test_request_context(), force_locale(language):
        assert (when(FOUR_IN_PARIS), when(FOUR_IN_PARIS, "full")) == (medium, full)


@pytest.mark.parametrize("ago, said", [(timedelta(minutes=5), "just now"), (timedelta(hours=3, minutes=5), "3 h ago"),
                                       (timedelta(days=2, hours=4), "2 d 4 h ago")])
def test_ages_read_as_words(app, ago, said):
    with app.test_request_context(), force_locale("en"):
        assert age(utcnow() - ago) == said
