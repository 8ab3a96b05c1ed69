"""The help page's contact form (Flask-WTF: CSRF and validation); labels and messages are translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from bridge.core.forms import GuardedForm, email_address, no_control_characters, required, strip
from bridge.directory.forms import customer_number_field

MESSAGE_MAX = 2000


class ContactForm(GuardedForm):
    """A question for the regional manager responsible for a customer number."""

    name = StringField(_l("Your name"), filters=[strip], validators=[
        required(), Length(max=200), no_control_characters()])
    email = StringField(_l("Your e-mail address"), filters=[strip],
                        validators=[required(), Length(max=254), email_address()])
    customer_number = customer_number_field()
    message = TextAreaField(_l("Your message"), filters=[strip], validators=[
        required(), no_control_characters(multiline=True),
        Length(max=MESSAGE_MAX, message=_l("Please keep the message under %(max)d characters.", max=MESSAGE_MAX)),
    ])
