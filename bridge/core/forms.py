"""What every form of the bridge shares: required fields, trimmed input, e-mail validation, all translated."""

from __future__ import annotations

import time
import unicodedata

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Email, Optional, ValidationError

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


_CLOCK_SALT = "request-form-started"


class GuardedForm(FlaskForm):
    """A public form's guards against bots, beside CSRF and the rate limits: a field people never see (bots
    fill every field) and the signed time the form was shown (bots post at once; BRIDGE_REQUEST_MIN_FILL_SECONDS)."""

    leave_empty = StringField(_l("Leave this field empty"), [Optional()])
    started = HiddenField()

    def start_clock(self, restart: bool = True) -> None:
        """Sign the time the form is shown; with `restart` false, a time already there is kept."""
        if restart or not self.started.data:
            self.started.data = URLSafeSerializer(current_app.secret_key, salt=_CLOCK_SALT).dumps(time.time())

    def filled_by_bot(self) -> bool:
        """The hidden field was filled."""
        return bool(self.leave_empty.data)

    def filled_too_fast(self) -> bool:
        """Sent sooner after it was shown than a person can (or with a time that is not ours)."""
        try:
            started = URLSafeSerializer(current_app.secret_key, salt=_CLOCK_SALT).loads(self.started.data or "")
        except BadSignature:
            return True
        return time.time() - float(started) < current_app.config["REQUEST_MIN_FILL_SECONDS"]


def language_switch_requested() -> bool:
    """A language link re-sent the form's values (static/language-switch.js): show them in the new language,
    check and store nothing."""
    return bool(request.form.get("switch_language"))
