"""Prometheus counters of the bridge, served at /metrics."""

from __future__ import annotations

import hmac
import os

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, generate_latest, multiprocess

EMAIL_CHECKS = Counter(
    "bridge_email_checks_total", "E-mail status checks answered, by result",
    ["result"],  # known, unknown, invalid, throttled, unavailable, disabled
)

blueprint = Blueprint("metrics", __name__)


@blueprint.get("/metrics")
def metrics() -> Response:
    """Every counter in Prometheus' text format; with BRIDGE_METRICS_TOKEN set, only for that bearer token."""
    token = current_app.config["METRICS_TOKEN"]
    if token and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
        abort(404)
    return Response(generate_latest(registry()), mimetype=CONTENT_TYPE_LATEST)


def registry() -> CollectorRegistry:
    """This process's counters; under gunicorn with deploy/gunicorn.conf.py, the sum over all its workers."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)
    return combined
