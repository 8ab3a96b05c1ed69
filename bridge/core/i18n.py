"""Languages of the bridge's pages and e-mails: French, German, English."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request

LANGUAGES = ("fr", "de", "en")
DEFAULT_LANGUAGE = "fr"


def select_locale() -> str:
    """`?lang=` when it names one of ours (the login page passes it), else the browser's preference."""
    asked = request.args.get("lang", "").lower()[:2]
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def language_url(language: str) -> str:
    """This page in another language (the query string is kept)."""
    return f"{request.path}?{urlencode({**request.args.to_dict(), 'lang': language})}"
