"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app
from sqlalchemy.exc import SQLAlchemyError

from bridge.core.db import ping
from bridge.keycloak.interface import KeycloakRefused, KeycloakUnavailable

blueprint = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@blueprint.get("/healthz")
def healthz():
    """The process is up and serving requests."""
    return {"status": "ok"}


@blueprint.get("/readyz")
def readyz():
    """Ready when the database answers and a Keycloak admin token can be obtained (answers within 2 s)."""
    try:
        ping(current_app.extensions["bridge.engine"])
    except SQLAlchemyError as exc:
        log.warning("readiness: database unreachable: %s", type(exc).__name__)
        return {"status": "unavailable", "reason": "database unreachable"}, 503
    try:
        current_app.extensions["bridge.keycloak"].check_token()
    except KeycloakUnavailable as exc:
        log.warning("readiness: %s", exc)
        return {"status": "unavailable", "reason": "keycloak unreachable"}, 503
    except KeycloakRefused as exc:
        log.warning("readiness: %s", exc)
        return {"status": "unavailable", "reason": "keycloak refused the service account"}, 503
    return {"status": "ready"}
