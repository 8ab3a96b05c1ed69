"""The JSON API called by the Keycloak login pages: POST /api/v1/email-status."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, request

from bridge.core import db
from bridge.core.addresses import keyed_hash, normalize
from bridge.core.extensions import csrf, limiter
from bridge.core.metrics import EMAIL_CHECKS
from bridge.core.models import pending_request
from bridge.email_check import limits
from bridge.email_check.service import NotAskedNow, Status
from bridge.keycloak.interface import KeycloakUnavailable

blueprint = Blueprint("api", __name__)
csrf.exempt(blueprint)  # no cookies are involved: the page calls with credentials omitted, CORS limits callers
limiter.exempt(blueprint)  # its limits are counted in bridge/email_check/limits.py, without the per-request hooks
log = logging.getLogger(__name__)
MAX_BODY = 1024


def answer(status: Status, code: int = 200, headers: dict | None = None, extra: dict | None = None):
    """A status answer, counted."""
    EMAIL_CHECKS.labels(result=status).inc()
    return {"status": status, **(extra or {})}, code, headers or {}


def throttled(seconds: int):
    return answer(Status.THROTTLED, 429, {"Retry-After": str(seconds)})


def bad_request(message: str):
    return {"error": "bad_request", "message": message}, 400


@blueprint.post("/email-status")
def email_status():
    """known / unknown / pending (with the request's date) / invalid for the address in the JSON body (never in
    the URL)."""
    config, client = current_app.config, request.remote_addr or "unknown"
    request.max_content_length = MAX_BODY  # reading more, chunked or not, answers 413
    payload = request.get_json(silent=True) if request.is_json else None
    if not isinstance(payload, dict) or not isinstance(payload.get("email"), str):
        wait = limits.wait(config, client, asks_keycloak=False)  # a flood of bad requests is a flood too
        if wait is not None:
            return throttled(wait)
        if not request.is_json:
            return bad_request("expected Content-Type: application/json")
        return bad_request('expected a JSON object {"email": "<address>"}')
    statuses, email = current_app.extensions["bridge.email_status"], payload["email"]
    status = statuses.answer_without_keycloak(email) if config["EMAIL_CHECK_ENABLED"] else Status.DISABLED
    asked_keycloak = status is None
    # One count (one Redis round trip): the client's limit always, everyone's only when Keycloak will be asked.
    wait = limits.wait(config, client, asks_keycloak=status is None)
    if wait is not None:
        return throttled(wait)
    extra = {}
    try:
        if status == Status.UNAVAILABLE:
            raise KeycloakUnavailable("Keycloak failed a moment ago; not asked again yet")
        if status is None:
            status = statuses.status(email)
        if status == Status.PENDING:
            status, extra = _pending_since(config, statuses, email, client)
    except NotAskedNow:
        return throttled(limits.keycloak_retry_after(config))
    except KeycloakUnavailable as exc:
        log.warning("email-status unavailable: %s", exc)
        return answer(Status.UNAVAILABLE, 503)
    # A check that asked Keycloak is worth a line; a cached answer only when debugging (a line per check, with
    # its hash and flush, was a seventh of a cached check's time).
    level = logging.INFO if asked_keycloak else logging.DEBUG
    if log.isEnabledFor(level):
        log.log(level, "email-status %s for %s", status, keyed_hash(current_app.secret_key, email.strip().lower()))
    return answer(status, extra=extra)


def _pending_since(config, statuses, email: str, client: str) -> tuple[Status, dict]:
    """The page says since when a request waits: the day in the company's time zone. A cached "pending" whose
    request was decided meanwhile is asked afresh, once, counted as a second check that asks Keycloak."""
    request_ = pending_request(db.session(), normalize(email) or "")
    if request_ is None:
        statuses.forget(email)
        status = statuses.status(email, may_ask=lambda: limits.wait(config, client, asks_keycloak=True) is None)
        if status != Status.PENDING:
            return status, {}
        request_ = pending_request(db.session(), normalize(email) or "")
        if request_ is None:
            return status, {}
    return Status.PENDING, {"since": request_.created_at.astimezone(ZoneInfo(config["TIME_ZONE"])).date().isoformat()}


@blueprint.route("/email-status", methods=["OPTIONS"])
def email_status_preflight():
    """CORS preflight; the headers are added by `cors_headers`."""
    return "", 204


@blueprint.after_request
def cors_headers(response):
    """Allow the configured Keycloak origin(s), and only those, to call the API from the login page."""
    origin = request.headers.get("Origin", "")
    response.vary.add("Origin")
    if origin and origin.rstrip("/") in current_app.config["CORS_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
    return response
