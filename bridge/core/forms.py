"""What every form of the bridge shares: required fields, trimmed input, e-mail validation, all translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Email


def required() -> DataRequired:
    """A required field, with the same message everywhere."""
    return DataRequired(message=_l("Please fill in this field."))


def strip(value):
    """Filter: surrounding spaces are never meant (people paste them)."""
    return value.strip() if isinstance(value, str) else value


def email_address() -> Email:
    """An e-mail address in the syntax the e-mail check accepts."""
    return Email(message=_l("This is not an e-mail address. Please check it, e.g. name@company.com."),
                 check_deliverability=False, allow_smtputf8=True)
