"""Pages for partners, reachable from the login page: the account request and help."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, URLSafeSerializer

from bridge.access_requests import service
from bridge.access_requests.forms import AccessRequestForm
from bridge.core import db
from bridge.core.addresses import normalize
from bridge.core.extensions import limiter
from bridge.core.models import utcnow

blueprint = Blueprint("public", __name__)


def localized_url(template: str) -> str:
    """A configured URL with "{lang}" replaced by the page's language ("" stays "")."""
    return template.replace("{lang}", str(get_locale()))


def _links() -> dict[str, str]:
    config = current_app.config
    return {
        "contact_url": localized_url(config["CONTACT_URL"]),
        "privacy_url": localized_url(config["PRIVACY_URL"]),
        "reset_password_url": config["RESET_PASSWORD_URL"],
        "sign_in_url": config["SIGN_IN_URL"],
    }


@blueprint.get("/help")
def help_page():
    """What the e-mail field's states mean, what to do, how to get access, and whom to contact."""
    return render_template(f"help/{get_locale()}.html", **_links())


def _stamp() -> str:
    return URLSafeSerializer(current_app.secret_key, salt="request-form-started").dumps(time.time())


def _filled_too_fast(form: AccessRequestForm) -> bool:
    try:
        started = URLSafeSerializer(current_app.secret_key, salt="request-form-started").loads(form.started.data or "")
    except BadSignature:
        return True
    return time.time() - float(started) < current_app.config["REQUEST_MIN_FILL_SECONDS"]


def _render_form(form: AccessRequestForm, notice: str | None = None, status: int = 200, restart_clock: bool = True,
                 **context):
    if restart_clock or not form.started.data:
        form.started.data = _stamp()
    return render_template("request_access.html", form=form, notice=notice, **_links(), **context), status


def _accepted(response) -> bool:
    return response.status_code == 302


def _requested_address() -> str:
    return normalize(request.form.get("email", "")) or "-"


@blueprint.route("/request-access", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REQUEST_ATTEMPT_LIMIT_PER_IP"], methods=["POST"], scope="request-posts")
@limiter.limit(lambda: current_app.config["REQUEST_LIMIT_PER_IP"], methods=["POST"], scope="requests-per-ip",
               deduct_when=_accepted)
@limiter.limit(lambda: current_app.config["REQUEST_LIMIT_PER_EMAIL"], methods=["POST"], scope="requests-per-address",
               deduct_when=_accepted, key_func=_requested_address)
def request_access():
    """The account request form: every outcome is a message on the form, which keeps what was typed."""
    form = AccessRequestForm()
    if request.method == "GET":
        form.language.data = str(get_locale())
        return _render_form(form)
    if request.form.get("switch_language"):
        # A language link re-sent what was typed (static/language-switch.js): show it again, check and store nothing.
        return _render_form(form, restart_clock=False)
    if not form.validate_on_submit():
        return _render_form(form, notice="invalid", status=400)
    if form.leave_empty.data:
        # A bot filled the hidden field: answer as if all went well, store nothing.
        return redirect(url_for("public.request_sent", lang=get_locale()))
    if _filled_too_fast(form):
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
    return render_template("request_sent.html", **_links())


@blueprint.errorhandler(RateLimitExceeded)
def too_many_requests(error):
    """Too many submissions from this client: say so on the form and keep what was typed."""
    return _render_form(AccessRequestForm(), notice="throttled", status=429)


@blueprint.errorhandler(CSRFError)
def expired_form(error):
    """A stale or missing CSRF token: show the form again with what was typed, ready to send."""
    return _render_form(AccessRequestForm(), notice="expired", status=400)
