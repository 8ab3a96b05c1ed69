"""The confirmation page's form (Flask-WTF: CSRF and validation): one answer per person, none preselected."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, RadioField, SelectChoice
from wtforms.validators import Optional

from bridge.core.models import Answer

CHOICES = [SelectChoice(Answer.CONFIRMED.value, _l("Still works with us")),
           SelectChoice(Answer.REMOVED.value, _l("Has left: end the access"))]


class AnswerForm(Form):
    """A person's answer; no answer leaves them on the list for later."""

    user_id = HiddenField()
    answer = RadioField(choices=CHOICES, validators=[Optional()])


class ConfirmationForm(FlaskForm):
    people = FieldList(FormField(AnswerForm))
