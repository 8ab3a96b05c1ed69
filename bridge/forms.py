"""Forms of the public pages (Flask-WTF: CSRF and validation); labels and messages are translated."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from bridge.customers import is_valid_customer_number, normalize_customer_number

LANGUAGE_CHOICES = [SelectChoice("fr", "Français"), SelectChoice("de", "Deutsch"), SelectChoice("en", "English")]
MESSAGE_MAX = 1000


def _required():
    return DataRequired(message=_l("Please fill in this field."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _customer_number_format(form, field) -> None:
    if field.data and not is_valid_customer_number(normalize_customer_number(field.data),
                                                   current_app.config["CUSTOMER_NUMBER_PATTERN"]):
        raise ValidationError(_l("A customer number has 5 to 10 digits, for example 100001."))


class AccessRequestForm(FlaskForm):
    """A partner employee asks for B2B access with the customer number from an invoice."""

    customer_number = StringField(_l("Customer number"), filters=[_strip], validators=[_required(), Length(max=40), _customer_number_format])
    company = StringField(_l("Company"), filters=[_strip], validators=[_required(), Length(max=200)])
    first_name = StringField(_l("First name"), filters=[_strip], validators=[_required(), Length(max=100)])
    last_name = StringField(_l("Last name"), filters=[_strip], validators=[_required(), Length(max=100)])
    email = StringField(_l("Work e-mail address"), filters=[_strip], validators=[
        _required(), Length(max=254),
        Email(message=_l("This is not an e-mail address. Please check it, e.g. name@company.com."),
              check_deliverability=False, allow_smtputf8=True),
    ])
    phone = StringField(_l("Phone (optional)"), filters=[_strip], validators=[
        Optional(), Length(max=40),
        Regexp(r"^[0-9 +().\-/]+$", message=_l("Please use digits, spaces and + ( ) - / only.")),
    ])
    job_title = StringField(_l("Job title (optional)"), filters=[_strip], validators=[Optional(), Length(max=100)])
    language = SelectField(_l("Language for our e-mails"), choices=LANGUAGE_CHOICES)
    message = TextAreaField(_l("Message to your regional manager (optional)"), [
        Optional(), Length(max=MESSAGE_MAX, message=_l("Please keep the message under %(max)d characters.", max=MESSAGE_MAX)),
    ])
    privacy_consent = BooleanField(_l("I agree that WOUNDWO processes these details to handle my request."),
                                   [DataRequired(message=_l("Please confirm that you agree, so that we can handle your request."))])
    # Bots fill every field; people never see this one.
    leave_empty = StringField(_l("Leave this field empty"), [Optional()])
    started = HiddenField()


class ApproveForm(FlaskForm):
    """Approve a request, with an optional note."""

    note = TextAreaField(_l("Note (optional)"), filters=[_strip], validators=[Optional(), Length(max=1000)])


class RejectForm(FlaskForm):
    """Reject a request: a reason is required; telling the requester is a choice."""

    reason = TextAreaField(_l("Reason"), filters=[_strip], validators=[
        DataRequired(message=_l("Please give a reason.")), Length(max=1000)])
    notify = BooleanField(_l("Tell the requester by e-mail (in their language), with this reason"))


class ReassignForm(FlaskForm):
    """An admin hands a request to another regional manager."""

    manager_email = StringField(_l("New manager's e-mail"), filters=[_strip], validators=[
        _required(), Length(max=254),
        Email(message=_l("This is not an e-mail address. Please check it, e.g. name@company.com."),
              check_deliverability=False)])


class RevokeForm(FlaskForm):
    """End a person's B2B access, with a reason for the audit trail."""

    reason = TextAreaField(_l("Reason"), filters=[_strip], validators=[
        DataRequired(message=_l("Please give a reason.")), Length(max=1000)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
