"""Two processes submitting the same request at the same instant: one request, one notification."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import func, select

from bridge.core.settings import Settings
from bridge.directory.customers import import_customers
from bridge.core.db import session
from bridge.core.models import AccessRequest, OutboxItem
from devstack.seed import DEMO_CUSTOMERS
from tests.support.forms import submit_request


def submit_in_own_process(config: dict, barrier, results) -> None:
    from bridge import create_app

    client = create_app(config).test_client()
    barrier.wait(timeout=30)
    results.put(submit_request(client, "fr", email="same.person@pharmacie-centrale.example").status_code)


def test_simultaneous_duplicates_from_two_processes(make_app, keycloak, demo):
    app = make_app(REQUEST_MIN_FILL_SECONDS=0)
    with app.app_context():
        import_customers(session(), DEMO_CUSTOMERS.read_bytes(), app.config["CUSTOMER_NUMBER_PATTERN"])
    config = {key.upper(): app.config[key.upper()] for key in Settings.model_fields}
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=submit_in_own_process, args=(config, barrier, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    codes = sorted(results.get(timeout=5) for _ in workers)
    assert codes == [302, 409]
    with app.app_context():
        assert session().scalar(select(func.count()).select_from(AccessRequest)) == 1
        notifications = session().scalars(select(OutboxItem).where(
            OutboxItem.idempotency_key.like("%manager-notification"))).all()
    assert len(notifications) == 1
