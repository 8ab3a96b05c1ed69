"""The customer number as a form field: what partners copy from an invoice, checked for its format."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, ValidationError

from bridge.core.forms import no_control_characters, required, strip
from bridge.directory.customers import is_valid_customer_number, normalize_customer_number


def _customer_number_format(form, field) -> None:
    if field.data and not is_valid_customer_number(normalize_customer_number(field.data),
                                                   current_app.config["CUSTOMER_NUMBER_PATTERN"]):
        raise ValidationError(_l("A customer number has 5 to 10 digits, for example 100001."))


def customer_number_field() -> StringField:
    """A required customer number; phones show a number pad."""
    return StringField(_l("Customer number"), filters=[strip], render_kw={"inputmode": "numeric"}, validators=[
        required(), Length(max=40), no_control_characters(), _customer_number_format])
