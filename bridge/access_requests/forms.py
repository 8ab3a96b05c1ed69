"""The account request form (Flask-WTF: CSRF and validation); labels and messages are translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from bridge.core.forms import (GuardedForm, account_address, email_address, no_control_characters, person_name,
                               required, strip)
from bridge.directory.forms import customer_number_field

LANGUAGE_CHOICES = [SelectChoice("fr", "Français"), SelectChoice("de", "Deutsch"), SelectChoice("en", "English")]
MESSAGE_MAX = 1000


class AccessRequestForm(GuardedForm):
    """A partner employee asks for B2B access with the customer number from an invoice."""

    customer_number = customer_number_field()
    company = StringField(_l("Company"), filters=[strip], validators=[required(), Length(max=200), no_control_characters()])
    first_name = StringField(_l("First name"), filters=[strip], validators=[
        required(), Length(max=100), no_control_characters(), person_name])
    last_name = StringField(_l("Last name"), filters=[strip], validators=[
        required(), Length(max=100), no_control_characters(), person_name])
    email = StringField(_l("Work e-mail address"), filters=[strip],
                        validators=[required(), Length(max=254), email_address(), account_address])
    phone = StringField(_l("Phone (optional)"), filters=[strip], validators=[
        Optional(), Length(max=40),
        Regexp(r"^[0-9 +().\-/]+$", message=_l("Please use digits, spaces and + ( ) - / only.")),
    ])
    job_title = StringField(_l("Job title (optional)"), filters=[strip], validators=[
        Optional(), Length(max=100), no_control_characters()])
    language = SelectField(_l("Language for our e-mails"), choices=LANGUAGE_CHOICES)
    message = TextAreaField(_l("Message to your regional manager (optional)"), [
        Optional(), no_control_characters(multiline=True),
        Length(max=MESSAGE_MAX, message=_l("Please keep the message under %(max)d characters.", max=MESSAGE_MAX)),
    ])
    privacy_consent = BooleanField(_l("I agree that WOUNDWO processes these details to handle my request."),
                                   [DataRequired(message=_l("Please confirm that you agree, so that we can handle your request."))])
