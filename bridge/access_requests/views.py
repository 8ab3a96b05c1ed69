"""The account request form, reachable from the login page, and its confirmation."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError

from bridge.access_requests import service
from bridge.access_requests.forms import AccessRequestForm
from bridge.core import db
from bridge.core.extensions import accepted, limiter, posted_address
from bridge.core.forms import language_switch_requested
from bridge.core.links import public_links
from bridge.core.models import utcnow

blueprint = Blueprint("public", __name__)


def _render_form(form: AccessRequestForm, notice: str | None = None, status: int = 200, restart_clock: bool = True,
                 **context):
    form.start_clock(restart_clock)
    return render_template("request_access.html", form=form, notice=notice, **public_links(), **context), status


@blueprint.route("/request-access", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REQUEST_ATTEMPT_LIMIT_PER_IP"], methods=["POST"], scope="request-posts")
@limiter.limit(lambda: current_app.config["REQUEST_LIMIT_PER_IP"], methods=["POST"], scope="requests-per-ip",
               deduct_when=accepted)
@limiter.limit(lambda: current_app.config["REQUEST_LIMIT_PER_EMAIL"], methods=["POST"], scope="requests-per-address",
               deduct_when=accepted, key_func=posted_address)
def request_access():
    """The account request form: every outcome is a message on the form, which keeps what was typed."""
    form = AccessRequestForm()
    if request.method == "GET":
        form.language.data = str(get_locale())
        return _render_form(form)
    if language_switch_requested():
        return _render_form(form, restart_clock=False)
    if not form.validate_on_submit():
        return _render_form(form, notice="invalid", status=400)
    if form.filled_by_bot():
        # A bot filled the hidden field: answer as if all went well, store nothing.
        return redirect(url_for("public.request_sent", lang=get_locale()))
    if form.filled_too_fast():
        return _render_form(form, notice="too_fast", status=400)
    outcome = service.submit(
        db.session(), current_app.extensions["bridge.keycloak"], current_app.extensions["bridge.broadcast"],
        service.NewRequest(**{name: form[name].data or "" for name in (
            "customer_number", "company", "first_name", "last_name", "email", "phone", "job_title",
            "language", "message")}),
        utcnow(), current_app.config["PUBLIC_URL"], current_app.config["FALLBACK_MANAGER_EMAIL"],
    )
    if outcome.kind == service.OutcomeKind.CREATED:
        return redirect(url_for("public.request_sent", lang=get_locale()))
    return _render_form(form, notice=outcome.kind, status=409 if outcome.kind == service.OutcomeKind.PENDING else 400,
                        pending_since=outcome.pending_since)


@blueprint.get("/request-access/sent")
def request_sent():
    """Confirmation: who reviews the request, that it takes time, and the 04:00 e-mail to look out for."""
    return render_template("request_sent.html", **public_links())


@blueprint.errorhandler(RateLimitExceeded)
def too_many_requests(error):
    """Too many submissions from this client: say so on the form and keep what was typed."""
    return _render_form(AccessRequestForm(), notice="throttled", status=429)


@blueprint.errorhandler(CSRFError)
def expired_form(error):
    """A stale or missing CSRF token: show the form again with what was typed, ready to send."""
    return _render_form(AccessRequestForm(), notice="expired", status=400)
