"""The JSON API called by the Keycloak login pages: POST /api/v1/email-status."""

from __future__ import annotations

import functools
import logging
import math
import time

from flask import Blueprint, current_app, request
from limits import RateLimitItem, parse_many

from bridge.config import cors_origins
from bridge.email_status import keyed_hash
from bridge.extensions import csrf, limiter
from bridge.keycloak_gateway import KeycloakUnavailable
from bridge.metrics import EMAIL_CHECKS

blueprint = Blueprint("api", __name__)
csrf.exempt(blueprint)  # no cookies are involved: the page calls with credentials omitted, CORS limits callers
limiter.exempt(blueprint)  # its limits are counted by seconds_until_allowed(), without the per-request hooks
log = logging.getLogger(__name__)
MAX_BODY = 1024


@functools.cache
def _parsed(limits: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limits))


def seconds_until_allowed() -> int | None:
    """When this client's or everyone's e-mail check limits are used up: the seconds to wait; else None.

    Counted in Flask-Limiter's own storage (BRIDGE_RATELIMIT_STORAGE_URI) through its strategy, but
    without its per-view decorators, which cost about a third of a cached check (docs/benchmarks.md §1).
    """
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return None
    counted = [(item, "email-status-ip", request.remote_addr or "unknown")
               for item in _parsed(config["EMAIL_CHECK_LIMIT_PER_IP"])]
    counted += [(item, "email-status-global", "everyone") for item in _parsed(config["EMAIL_CHECK_LIMIT_GLOBAL"])]
    strategy = limiter.limiter
    for item, *identifiers in counted:
        if not strategy.hit(item, *identifiers):
            reset_at, _ = strategy.get_window_stats(item, *identifiers)
            return max(1, math.ceil(reset_at - time.time()))
    return None


def answer(status: str, code: int = 200, headers: dict | None = None):
    """A status answer, counted."""
    EMAIL_CHECKS.labels(result=status).inc()
    return {"status": status}, code, headers or {}


def bad_request(message: str):
    return {"error": "bad_request", "message": message}, 400


@blueprint.post("/email-status")
def email_status():
    """known / unknown / invalid for the address in the JSON body (never in the URL)."""
    wait = seconds_until_allowed()
    if wait is not None:
        return answer("throttled", 429, {"Retry-After": str(wait)})
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
