"""The cluster of `make cluster` (devstack/cluster.py) on the tests' cluster ports, once per session.

Two Keycloak nodes in production mode behind nginx, two bridges, two workers, PostgreSQL and Redis. The
fixture fails (never skips) when the nodes do not form one cluster; after each test whatever a test
killed is started again, so every test begins with the whole cluster.
"""

from __future__ import annotations

import pytest

from devstack.cluster import TEST_CLUSTER_PORTS, Cluster
from devstack.settings import TEST_STATE_DIR

CLUSTER_SETTINGS = {
    # Limits low enough that a test reaches them; each test that counts starts from empty counters (Redis flushed).
    "BRIDGE_EMAIL_CHECK_LIMIT_PER_IP": "12 per hour",
    "BRIDGE_EMAIL_CHECK_LIMIT_GLOBAL": "8 per hour",
    "BRIDGE_REQUEST_MIN_FILL_SECONDS": "0",
    # Two Keycloak nodes and everything else on 2 shared cores answer slower than the e-mail check's 1.5 s
    # production budget; these tests are about failover, not latency.
    "BRIDGE_KEYCLOAK_TIMEOUT": "15",
    # The portal asks Keycloak on every page load, so each load is also a token refresh.
    "PORTAL_REFRESH_AFTER": "0",
    # A killed worker's claims are taken over after 15 s instead of 10 minutes (tests/cluster/test_worker_failover.py).
    "BRIDGE_OUTBOX_CLAIM_LEASE_SECONDS": "15",
}
START_TIMES: dict[str, float] = {}


@pytest.fixture(scope="session")
def cluster() -> Cluster:
    """The whole cluster, up and formed (both nodes in Keycloak's cluster view)."""
    running = Cluster(TEST_CLUSTER_PORTS, TEST_STATE_DIR / "cluster", CLUSTER_SETTINGS)
    try:
        try:
            START_TIMES["cluster start"] = running.start()
        except (RuntimeError, TimeoutError) as exc:
            pytest.fail(f"the cluster did not come up: {exc}", pytrace=False)
        yield running
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def whole_cluster(cluster):
    """Start again what the test killed: Keycloak nodes (until both are back in the view), bridges, workers;
    nodes and bridges until nginx sends them requests again (it holds a failed server down for 10 s)."""
    yield
    for node in cluster.nodes:
        if node.process.poll() is not None:
            START_TIMES[f"{node.name} restart"] = cluster.restart_node(node)
    for port in cluster.ports.bridges:
        if port not in cluster.bridges:
            cluster.restart_bridge(port)
    for index, worker in enumerate(cluster.workers):
        if worker.poll() is not None:
            cluster.workers[index] = cluster.start_worker(index + 1)


def pytest_terminal_summary(terminalreporter):
    for what, seconds in START_TIMES.items():
        terminalreporter.write_line(f"{what}: {seconds:.0f} s")
