"""What every form of the bridge shares: required fields, trimmed input, e-mail validation, all translated."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Email, ValidationError

from bridge.keycloak import profile


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


_NEVER_TYPED = {"Cc", "Cs", "Zl", "Zp"}  # control characters, lone surrogates, line and paragraph separators


def no_control_characters(multiline: bool = False):
    """Refuse what a person never means to type (NUL, escape sequences, separators) before it is stored and
    reaches e-mail subjects; a multi-line field keeps its line breaks and tabs."""
    allowed = {"\n", "\r", "\t"} if multiline else set()

    def check(form, field) -> None:
        if isinstance(field.data, str) and any(
                unicodedata.category(char) in _NEVER_TYPED and char not in allowed for char in field.data):
            raise ValidationError(_l("Please remove the invisible control characters from this field."))

    return check


def person_name(form, field) -> None:
    """The realm's user profile refuses these characters in names: say so here, not after the approval."""
    if field.data and profile.name_problem(field.data):
        raise ValidationError(_l("Please use letters, spaces, hyphens and apostrophes only "
                                 "(not < > & \" $ % ! # ? § ; * ~ / \\ | ^ = [ ] { } ( ) or control characters)."))


def account_address(form, field) -> None:
    """An address Keycloak takes as a sign-in (checked after the form's own e-mail syntax check)."""
    if field.data and not form.email.errors and profile.email_problem(field.data):
        raise ValidationError(_l("This address cannot be used for a sign-in: the part before the @ may not hold "
                                 "accents or letters other than a to z. Please use another work address."))
