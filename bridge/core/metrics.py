"""Prometheus counters of the bridge, served at /metrics."""

from __future__ import annotations

import hmac
import logging
import os
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from sqlalchemy import case, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bridge.core import db
from bridge.core.models import AccessRequest, Customer, OutboxItem, OutboxStatus, RequestStatus, utcnow

EMAIL_CHECKS = Counter(
    "bridge_email_checks_total", "E-mail status checks answered, by result",
    ["result"],  # known, unknown, pending, invalid, throttled, unavailable, disabled
)

blueprint = Blueprint("metrics", __name__)
log = logging.getLogger(__name__)


@blueprint.get("/metrics")
def metrics() -> Response:
    """Every counter in Prometheus' text format; with BRIDGE_METRICS_TOKEN set, only for that bearer token."""
    token = current_app.config["METRICS_TOKEN"]
    if token and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
        abort(404)
    stored = CollectorRegistry()
    stored.register(OutboxGauges(db.session(), timedelta(seconds=current_app.config["OUTBOX_CLAIM_LEASE_SECONDS"])))
    stored.register(RequestGauges(db.session()))
    return Response(generate_latest(registry()) + generate_latest(stored), mimetype=CONTENT_TYPE_LATEST)


def registry() -> CollectorRegistry:
    """This process's counters; under gunicorn with deploy/gunicorn.conf.py, the sum over all its workers."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)
    return combined


class OutboxGauges:
    """The outbox as the database holds it at the scrape (the same answer from every worker and instance).

    Rows that failed for good wait for someone to retry them in the review UI; a due row that waits
    long (a claimed row counts once its worker's lease ran out) means no worker is running (deploy/prometheus/woundwo-alerts.yml alerts on both).
    """

    def __init__(self, session: Session, lease: timedelta):
        self.session = session
        self.lease = lease

    def collect(self):
        count = select(func.count()).select_from(OutboxItem)
        now = utcnow()
        try:
            failed = self.session.scalar(count.where(OutboxItem.status == OutboxStatus.FAILED))
            retrying = self.session.scalar(count.where(OutboxItem.status == OutboxStatus.PENDING, OutboxItem.attempts > 0))
            oldest_due = self.session.scalar(select(func.min(OutboxItem.next_attempt_at)).where(
                OutboxItem.status == OutboxStatus.PENDING, OutboxItem.next_attempt_at <= now))
            # A row whose worker died waits too, from the moment its claim's lease ran out.
            oldest_claim = self.session.scalar(select(func.min(OutboxItem.claimed_at)).where(
                OutboxItem.status == OutboxStatus.SENDING, OutboxItem.claimed_at < now - self.lease))
        except SQLAlchemyError as exc:  # the counters are still worth serving; /readyz reports the database
            log.warning("metrics: outbox not readable: %s", type(exc).__name__)
            return
        yield GaugeMetricFamily("bridge_outbox_failed_items",
                                "Outbox rows (e-mails, Keycloak changes) that failed for good", value=failed)
        yield GaugeMetricFamily("bridge_outbox_retrying_items",
                                "Outbox rows that failed at least once and will be tried again", value=retrying)
        yield GaugeMetricFamily("bridge_outbox_oldest_due_seconds",
                                "How long the oldest due outbox row has waited for a worker (0: none waits)",
                                value=max([(now - moment).total_seconds() for moment in
                                           (oldest_due, oldest_claim and oldest_claim + self.lease) if moment] or [0]))


# Time from request to decision: an hour, four, a working day, then days up to the 30-day expiry.
DECISION_BUCKETS_SECONDS = (3600, 4 * 3600, 8 * 3600, 86400, 2 * 86400, 3 * 86400, 5 * 86400, 7 * 86400,
                            14 * 86400, 30 * 86400)


def _seconds_between(session: Session, start, end):
    """`end - start` in seconds, in the database's own arithmetic (PostgreSQL or SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400


class RequestGauges:
    """Access requests as the database holds them at the scrape: open ones per region, the oldest one's
    wait (deploy/prometheus/woundwo-alerts.yml alerts on it), and how long decisions took, as a histogram
    over every request a person decided (rows erased for privacy leave it, which reads as a reset)."""

    def __init__(self, session: Session):
        self.session = session

    def collect(self):
        now = utcnow()
        pending = AccessRequest.status == RequestStatus.PENDING
        waited = _seconds_between(self.session, AccessRequest.created_at, AccessRequest.decided_at)
        try:
            open_by_region = self.session.execute(
                select(Customer.region, func.count(AccessRequest.id))
                .join(Customer, Customer.customer_number == AccessRequest.customer_number)
                .where(pending).group_by(Customer.region)).all()
            oldest = self.session.scalar(select(func.min(AccessRequest.created_at)).where(pending))
            decided = self.session.execute(select(
                func.count(AccessRequest.id), func.coalesce(func.sum(waited), 0),
                *(func.coalesce(func.sum(case((waited <= bound, 1), else_=0)), 0)
                  for bound in DECISION_BUCKETS_SECONDS),
            ).where(AccessRequest.decided_by.is_not(None), AccessRequest.decided_at.is_not(None))).one()
        except SQLAlchemyError as exc:
            log.warning("metrics: requests not readable: %s", type(exc).__name__)
            return
        gauge = GaugeMetricFamily("bridge_requests_open", "Access requests waiting for a decision, by region",
                                  labels=["region"])
        for region, count in open_by_region:
            gauge.add_metric([region], count)
        yield gauge
        yield GaugeMetricFamily("bridge_requests_oldest_pending_seconds",
                                "How long the oldest pending access request has waited (0: none waits)",
                                value=(now - oldest).total_seconds() if oldest else 0)
        count, total, *cumulative = decided
        yield HistogramMetricFamily(
            "bridge_request_decision_seconds", "Time from an access request to its decision by a person",
            buckets=[(str(float(bound)), int(n)) for bound, n in zip(DECISION_BUCKETS_SECONDS, cumulative)]
            + [("+Inf", int(count))], sum_value=float(total))
