"""The review UI's forms (Flask-WTF: CSRF and validation); labels and messages are translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from bridge.core.forms import account_address, email_address, no_control_characters, person_name, required, strip


def _reason():
    return TextAreaField(_l("Reason"), filters=[strip], validators=[
        DataRequired(message=_l("Please give a reason.")), Length(max=1000), no_control_characters(multiline=True)])


class ApproveForm(FlaskForm):
    """Approve a request, with an optional note."""

    note = TextAreaField(_l("Note (optional)"), filters=[strip],
                         validators=[Optional(), Length(max=1000), no_control_characters(multiline=True)])
    confirmed = HiddenField()  # set by the confirmation step: approving asks once


class RejectForm(FlaskForm):
    """Reject a request: a reason is required; telling the requester is a choice."""

    reason = _reason()
    notify = BooleanField(_l("Tell the requester by e-mail (in their language), with this reason"))


class ReassignForm(FlaskForm):
    """An admin hands a request to another regional manager."""

    manager_email = StringField(_l("New manager's e-mail"), filters=[strip],
                                validators=[required(), Length(max=254), email_address()])


class RevokeForm(FlaskForm):
    """End a person's B2B access, with a reason for the audit trail."""

    reason = _reason()


class CorrectionForm(FlaskForm):
    """The manager corrects what Keycloak refused and tries the account again."""

    first_name = StringField(_l("First name"), filters=[strip], validators=[
        required(), Length(max=100), no_control_characters(), person_name])
    last_name = StringField(_l("Last name"), filters=[strip], validators=[
        required(), Length(max=100), no_control_characters(), person_name])
    email = StringField(_l("E-mail"), filters=[strip],
                        validators=[required(), Length(max=254), email_address(), account_address])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


def _day(label) -> DateField:
    return DateField(label, validators=[DataRequired(message=_l("Please give a date such as 2026-12-24."))])


class PeriodForm(FlaskForm):
    """A period of days, both included."""

    first_day = _day(_l("From"))
    last_day = _day(_l("To"))

    def validate_last_day(self, field) -> None:
        if self.first_day.data and field.data < self.first_day.data:
            raise ValidationError(_l("The last day cannot be before the first."))


class ExportForm(PeriodForm):
    """The audit export's period, read from the query string: a download changes nothing, so no CSRF token."""

    class Meta:
        csrf = False


class AbsenceForm(PeriodForm):
    """A manager names a deputy for the days they are away (both days included)."""

    deputy_email = StringField(_l("Deputy's e-mail"), filters=[strip],
                               validators=[required(), Length(max=254), email_address()])
    first_day = _day(_l("First day away"))
    last_day = _day(_l("Last day away"))

    def __init__(self, manager_email: str = "", today=None, **kwargs):
        super().__init__(**kwargs)
        self.manager_email, self.today = manager_email, today

    def validate_deputy_email(self, field) -> None:
        if field.data.lower() == self.manager_email:
            raise ValidationError(_l("Please name someone else than yourself."))

    def validate_last_day(self, field) -> None:
        super().validate_last_day(field)
        if self.today and field.data < self.today:
            raise ValidationError(_l("This day has already passed."))
        if self.first_day.data and (field.data - self.first_day.data).days > 366:
            raise ValidationError(_l("An absence can last a year at most."))
