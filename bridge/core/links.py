"""The configured links every public page may show (contact, privacy notice, reset password, sign-in), and the
link to a request in the review UI that managers' e-mails carry."""

from __future__ import annotations

from flask import current_app
from flask_babel import get_locale


def localized_url(template: str) -> str:
    """A configured URL with "{lang}" replaced by the page's language ("" stays "")."""
    return template.replace("{lang}", str(get_locale()))


def public_links() -> dict[str, str]:
    """The links of the public pages' templates, in the page's language."""
    config = current_app.config
    return {
        "contact_url": localized_url(config["CONTACT_URL"]),
        "privacy_url": localized_url(config["PRIVACY_URL"]),
        "reset_password_url": config["RESET_PASSWORD_URL"],
        "sign_in_url": config["SIGN_IN_URL"],
    }


def review_url(public_url: str, request_id: int) -> str:
    """The request's page in the review UI, as the managers' e-mails link to it."""
    return f"{public_url}/manage/requests/{request_id}"
