"""Languages of the bridge's pages and e-mails: French, German, English."""

from __future__ import annotations

from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from flask import request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

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


# The directory's sales regions, as managers call them; a region not listed here is shown as the ERP writes it.
REGION_NAMES = {"north": _l("North"), "north-east": _l("North-east"), "east": _l("East"), "south-east": _l("South-east"),
                "south": _l("South"), "south-west": _l("South-west"), "west": _l("West"), "north-west": _l("North-west"),
                "central": _l("Central")}


def language_name(code: str) -> str:
    """A language code as the page's language names it: "de" → "Allemand" on a French page."""
    try:
        name = Locale.parse(code).get_display_name(get_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


def country_name(code: str) -> str:
    """An ISO country code as the page's language names it: "DE" → "Deutschland" on a German page."""
    return get_locale().territories.get(code.upper(), code)


def region_name(code: str) -> str:
    return str(REGION_NAMES.get(code.lower(), code))


def language_of(user: dict) -> str:
    """The language of a Keycloak user's account (attribute `locale`), or the default one."""
    language = ((user.get("attributes") or {}).get("locale") or [DEFAULT_LANGUAGE])[0]
    return language if language in LANGUAGES else DEFAULT_LANGUAGE
