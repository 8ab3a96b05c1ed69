"""The help page and its contact form to the regional manager."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError

from bridge.contact import service
from bridge.contact.forms import ContactForm
from bridge.core import db
from bridge.core.extensions import accepted, limiter, posted_address
from bridge.core.forms import language_switch_requested
from bridge.core.links import public_links
from bridge.core.models import utcnow
from bridge.directory.customers import normalize_customer_number

blueprint = Blueprint("contact", __name__)


def _render_help(form: ContactForm, notice: str | None = None, status: int = 200, restart_clock: bool = True):
    form.start_clock(restart_clock)
    return render_template(f"help/{get_locale()}.html", form=form, notice=notice, **public_links()), status


def _customer_number() -> str:
    return normalize_customer_number(request.form.get("customer_number", "")) or "-"


@blueprint.get("/help")
def help_page():
    """What the e-mail field's states mean, what to do, how to get access, and the contact form."""
    return _render_help(ContactForm())


@blueprint.post("/help/contact")
@limiter.limit(lambda: current_app.config["REQUEST_ATTEMPT_LIMIT_PER_IP"], scope="contact-posts")
@limiter.limit(lambda: current_app.config["CONTACT_LIMIT_PER_IP"], scope="contact-per-ip", deduct_when=accepted)
@limiter.limit(lambda: current_app.config["CONTACT_LIMIT_PER_EMAIL"], scope="contact-per-address",
               deduct_when=accepted, key_func=posted_address)
@limiter.limit(lambda: current_app.config["CONTACT_LIMIT_PER_CUSTOMER"], scope="contact-per-customer",
               deduct_when=accepted, key_func=_customer_number)
def contact():
    """Send the contact form: every refusal is a message on the help page, which keeps what was typed."""
    form = ContactForm()
    if language_switch_requested():
        return _render_help(form, restart_clock=False)
    if not form.validate_on_submit():
        return _render_help(form, notice="invalid", status=400)
    if form.filled_by_bot():
        # Answer as if all went well, send nothing.
        return redirect(url_for("contact.contact_sent", lang=get_locale()))
    if form.filled_too_fast():
        return _render_help(form, notice="too_fast", status=400)
    outcome = service.send(db.session(), service.ContactMessage(
        name=form.name.data, email=form.email.data, customer_number=form.customer_number.data,
        message=form.message.data), utcnow(), current_app.config["FALLBACK_MANAGER_EMAIL"])
    if outcome == service.ContactOutcome.UNKNOWN_CUSTOMER:
        return _render_help(form, notice="unknown_customer", status=400)
    return redirect(url_for("contact.contact_sent", lang=get_locale()))


@blueprint.get("/help/contact/sent")
def contact_sent():
    """Confirmation: the message is on its way to the regional manager, who answers by e-mail."""
    return render_template("contact_sent.html", **public_links())


@blueprint.errorhandler(RateLimitExceeded)
def too_many_messages(error):
    """Too many messages from this client, for this address or this customer: say so, keep what was typed."""
    return _render_help(ContactForm(), notice="throttled", status=429)


@blueprint.errorhandler(CSRFError)
def expired_form(error):
    """A stale or missing CSRF token: show the form again with what was typed, ready to send."""
    return _render_help(ContactForm(), notice="expired", status=400)
