"""Pages for partners, reachable from the login page: help (and, later, the account request)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import get_locale

blueprint = Blueprint("public", __name__)


def localized_url(template: str) -> str:
    """A configured URL with "{lang}" replaced by the page's language ("" stays "")."""
    return template.replace("{lang}", str(get_locale()))


@blueprint.get("/help")
def help_page():
    """What the e-mail field's states mean, what to do, how to get access, and whom to contact."""
    language = str(get_locale())
    return render_template(f"help/{language}.html", contact_url=localized_url(current_app.config["CONTACT_URL"]))
