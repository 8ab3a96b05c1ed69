"""Prometheus counters of the bridge, served at /metrics."""

from __future__ import annotations

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest

EMAIL_CHECKS = Counter(
    "bridge_email_checks_total", "E-mail status checks answered, by result",
    ["result"],  # known, unknown, invalid, throttled, unavailable, disabled
)

blueprint = Blueprint("metrics", __name__)


@blueprint.get("/metrics")
def metrics() -> Response:
    """Every counter in Prometheus' text format."""
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)
