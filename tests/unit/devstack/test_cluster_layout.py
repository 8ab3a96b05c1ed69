"""The cluster's port layout and how its fixture reads Keycloak's cluster view (devstack/cluster.py)."""

from __future__ import annotations

import pytest

from devstack.cluster import DEV_CLUSTER_PORTS, FD_SOCK2_OFFSET, cluster_view
from devstack.settings import DEV_PORTS, TEST_PORTS, Ports

VIEW_LINES = """\
2026-12-01 11:27:30,468 INFO  [org.infinispan.CLUSTER] (executor-thread-1) ISPN000094: Received new cluster view \
for channel ISPN: [vm-55200(v=16.0.14)|0] (1) [vm-55200(v=16.0.14)]
2026-12-01 11:28:59,261 INFO  [org.infinispan.CLUSTER] (executor-thread-1) ISPN000094: Received new cluster view \
for channel ISPN: [vm-55200(v=16.0.14)|1] (2) [vm-55200(v=16.0.14), vm-46178(v=16.0.14)]
"""


@pytest.mark.parametrize("log, members", [
    (VIEW_LINES, ["vm-55200(v=16.0.14)", "vm-46178(v=16.0.14)"]),     # the newest view counts
    (VIEW_LINES.splitlines()[0], ["vm-55200(v=16.0.14)"]),            # alone: a view of one
    ("KC-SERVICES0032: Import finished successfully\n", []),          # no view yet
])
def test_the_newest_cluster_view_in_a_node_log_names_its_members(tmp_path, log, members):
    log_file = tmp_path / "node.log"
    log_file.write_text(log)
    assert cluster_view(log_file) == members


def test_a_node_log_that_does_not_exist_yet_has_no_view(tmp_path):
    assert cluster_view(tmp_path / "missing.log") == []


def test_views_logged_by_an_earlier_run_of_the_node_do_not_count(tmp_path):
    log_file = tmp_path / "node.log"
    log_file.write_text(VIEW_LINES)
    assert cluster_view(log_file, since=log_file.stat().st_size) == []


@pytest.mark.parametrize("offset", [0, 100, 900, 1500])
def test_cluster_ports_are_distinct_clear_of_the_single_node_stacks_and_jgroups_fits(offset):
    tests = DEV_CLUSTER_PORTS.shifted(20000 + offset, 20 + offset)
    single = {port for ports in (DEV_PORTS, TEST_PORTS) for port in vars(ports).values()} | \
             set(vars(Ports(*(port + offset for port in (18080, 19000, 18000, 18001, 11025, 18025)))).values())
    for layout in (DEV_CLUSTER_PORTS, tests):
        ports = layout.all() + [node.jgroups + FD_SOCK2_OFFSET for node in layout.nodes]
        assert len(set(ports)) == len(ports)
        assert max(ports) < 65536
        assert not set(ports) & single
    assert not set(DEV_CLUSTER_PORTS.all()) & set(tests.all())


def test_test_runs_whose_offsets_differ_by_100_share_no_cluster_port():
    first, second = (DEV_CLUSTER_PORTS.shifted(20000 + offset, 20 + offset) for offset in (800, 900))
    first_ports = first.all() + [node.jgroups + FD_SOCK2_OFFSET for node in first.nodes]
    second_ports = second.all() + [node.jgroups + FD_SOCK2_OFFSET for node in second.nodes]
    assert not set(first_ports) & set(second_ports)
