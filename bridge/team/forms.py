"""The team page's forms (Flask-WTF: CSRF and validation), built on the review UI's fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from bridge.access_requests.forms import LANGUAGE_CHOICES
from bridge.review.forms import CorrectionForm, RevokeForm


class InviteForm(CorrectionForm):
    """A colleague the team admin asks access for: the same name and address rules as every account."""

    language = SelectField(_l("Language for our e-mails"), choices=LANGUAGE_CHOICES)


class RemoveForm(RevokeForm):
    """End a colleague's access, with a reason for the regional manager and the audit trail."""
