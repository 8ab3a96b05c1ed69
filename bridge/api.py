"""The JSON API called by the Keycloak login pages: POST /api/v1/email-status."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, request
from flask_limiter import RateLimitExceeded

from bridge.config import cors_origins
from bridge.email_status import keyed_hash
from bridge.extensions import csrf, limiter
from bridge.keycloak_gateway import KeycloakUnavailable
from bridge.metrics import EMAIL_CHECKS

blueprint = Blueprint("api", __name__)
csrf.exempt(blueprint)  # no cookies are involved: the page calls with credentials omitted, CORS limits callers
log = logging.getLogger(__name__)
MAX_BODY = 1024


def _per_ip_limit() -> str:
    return current_app.config["EMAIL_CHECK_LIMIT_PER_IP"]


def _global_limit() -> str:
    return current_app.config["EMAIL_CHECK_LIMIT_GLOBAL"]


def answer(status: str, code: int = 200):
    """A status answer, counted."""
    EMAIL_CHECKS.labels(result=status).inc()
    return {"status": status}, code


def bad_request(message: str):
    return {"error": "bad_request", "message": message}, 400


@blueprint.post("/email-status")
@limiter.limit(_per_ip_limit, key_func=lambda: request.remote_addr or "unknown")
@limiter.limit(_global_limit, key_func=lambda: "everyone", scope="email-status-global")
def email_status():
    """known / unknown / invalid for the address in the JSON body (never in the URL)."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return bad_request("body larger than 1 KB")
    if len(request.get_data(cache=True)) > MAX_BODY:
        return bad_request("body larger than 1 KB")
    if not request.is_json:
        return bad_request("expected Content-Type: application/json")
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("email"), str):
        return bad_request('expected a JSON object {"email": "<address>"}')
    if not current_app.config["EMAIL_CHECK_ENABLED"]:
        return answer("disabled")
    try:
        status = current_app.extensions["bridge.email_status"].status(payload["email"])
    except KeycloakUnavailable as exc:
        log.warning("email-status unavailable: %s", exc)
        return answer("unavailable", 503)
    log.info("email-status %s for %s", status, keyed_hash(current_app.secret_key, payload["email"].strip().lower()))
    return answer(status)


@blueprint.errorhandler(RateLimitExceeded)
def throttled(error: RateLimitExceeded):
    """429 with a status the page can show; Flask-Limiter adds Retry-After."""
    return answer("throttled", 429)


@blueprint.route("/email-status", methods=["OPTIONS"])
def email_status_preflight():
    """CORS preflight; the headers are added by `cors_headers`."""
    return "", 204


@blueprint.after_request
def cors_headers(response):
    """Allow the configured Keycloak origin(s), and only those, to call the API from the login page."""
    origin = request.headers.get("Origin", "")
    response.vary.add("Origin")
    if origin and origin.rstrip("/") in cors_origins(current_app.config):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
    return response
