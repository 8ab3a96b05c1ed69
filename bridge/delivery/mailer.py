"""The bridge's own e-mails: composed from templates in the reader's language, delivered by a transport.

Views never send mail: they put a composed message into the outbox in the same transaction as the
business row, and the worker delivers it (bridge/delivery/outbox.py). The transport is SMTP; tests
may install another one (anything with `deliver(message)`) through create_app(mail=...).
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Protocol

from flask import current_app, render_template
from flask_babel import force_locale


class TransientMailError(RuntimeError):
    """The SMTP server is unreachable or asked us to try later."""


class PermanentMailError(RuntimeError):
    """The message can never be delivered as it is (e.g. the recipient was refused)."""


@dataclass
class Mail:
    to: str
    subject: str
    text: str
    html: str
    reply_to: str = ""  # where the reader's reply goes instead of the unread sender (a contact message's author)

    def as_payload(self) -> dict:
        return asdict(self)


class MailTransport(Protocol):
    """Hands a finished message to the mail system; raises TransientMailError or PermanentMailError."""

    def deliver(self, message: EmailMessage) -> None:
        """Deliver one message."""


def compose(template: str, to: str, language: str, **context) -> Mail:
    """Render mail/<template>.{subject,txt,html} in `language`."""
    with force_locale(language):
        context = {**context, "current_language": language}
        # One line, whatever a person typed into a name (header injection is not possible either way).
        subject = " ".join(render_template(f"mail/{template}.subject.txt", **context).split())
        # The HTML part is autoescaped; everything from a requester reaches it as a value, never through a
        # .txt template included into it (those are not escaped).
        return Mail(to=to, subject=subject, text=render_template(f"mail/{template}.txt", **context),
                    html=render_template(f"mail/{template}.html", subject=subject, **context))


def send(payload: dict) -> None:
    """Deliver one composed message (an outbox payload) through the app's transport."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = formataddr((config["MAIL_FROM_NAME"], config["MAIL_FROM"]))
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    if payload.get("reply_to"):
        message["Reply-To"] = payload["reply_to"]
    domain = config["MAIL_FROM"].split("@")[-1]
    # Stable across retries of one outbox row: a mail sent again after a crash is recognisably the same.
    # (Rows queued before message keys existed get a fresh id.)
    message["Message-ID"] = (f"<{hashlib.sha256(payload['message_key'].encode()).hexdigest()[:32]}@{domain}>"
                             if "message_key" in payload else make_msgid(domain=domain))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(payload["text"])
    message.add_alternative(payload["html"], subtype="html")
    current_app.extensions["bridge.mail"].deliver(message)


class SmtpTransport:
    """The relay of BRIDGE_SMTP_*."""

    def __init__(self, config):
        self.config = config  # the app's, read at each delivery

    def deliver(self, message: EmailMessage) -> None:
        """Send by SMTP; a 5xx or refused recipient is permanent, everything else transient."""
        config = self.config
        try:
            with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=15) as smtp:
                if config["SMTP_STARTTLS"]:
                    smtp.starttls(context=ssl.create_default_context())
                if config["SMTP_USER"]:
                    smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentMailError("recipient refused") from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentMailError(f"SMTP {exc.smtp_code}") from exc
            raise TransientMailError(f"SMTP {exc.smtp_code}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientMailError(f"{type(exc).__name__}") from exc
