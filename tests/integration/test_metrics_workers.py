"""/metrics under gunicorn with several workers, started as in production (deploy/gunicorn.conf.py): every
scrape shows the checks of all workers, whichever worker answers it."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import sys
import time

import requests
from prometheus_client.parser import text_string_to_metric_families

from devstack import processes
from devstack.settings import REPO_ROOT
from devstack.ports import free_ports

CHECKS = 60


BODY = json.dumps({"email": "not-an-address"}).encode()  # "invalid": answered without Keycloak


def held_check(port: int) -> http.client.HTTPConnection:
    """A check whose body is not sent yet: the sync worker that took it waits for it and takes nothing else."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("POST", "/api/v1/email-status")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(len(BODY)))
    connection.endheaders()
    time.sleep(0.5)  # let a worker accept it
    return connection


def finish(connection: http.client.HTTPConnection) -> dict:
    connection.send(BODY)
    answer = json.loads(connection.getresponse().read())
    connection.close()
    return answer


def invalid_checks(families) -> float:
    return next(sample.value for family in families for sample in family.samples
                if sample.name == "bridge_email_checks_total" and sample.labels == {"result": "invalid"})


def test_every_scrape_adds_up_the_checks_of_all_workers(test_env, tmp_path):
    port = free_ports()[0]
    # No PROMETHEUS_MULTIPROC_DIR: the config makes a temporary one, here under tmp_path.
    env = {**test_env, "BRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'bridge.sqlite'}",
           "BRIDGE_EMAIL_CHECK_LIMIT_PER_IP": "10000 per minute", "TMPDIR": str(tmp_path)}
    log = tmp_path / "gunicorn.log"
    server = processes.spawn([sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--bind",
                              f"127.0.0.1:{port}", "--workers", "3", "bridge:create_app()"], env, log, cwd=REPO_ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        processes.wait_http(f"{url}/healthz", 30, server, log)

        # Two checks held open occupy two different workers, so at least two processes count.
        held = [held_check(port), held_check(port)]
        answers = [finish(connection) for connection in held]

        def check(_):
            return requests.post(f"{url}/api/v1/email-status", data=BODY, timeout=10,
                                 headers={"Content-Type": "application/json"}).json()

        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            answers += pool.map(check, range(CHECKS - len(held)))
        assert answers == [{"status": "invalid"}] * CHECKS
        assert len(list(tmp_path.glob("bridge-metrics-*/counter_*.db"))) >= 2  # a file per worker that counted
        # Each scrape, whichever worker serves it, shows them all.
        scrapes = [invalid_checks(text_string_to_metric_families(requests.get(f"{url}/metrics", timeout=10).text))
                   for _ in range(9)]
        assert scrapes == [CHECKS] * 9
    finally:
        processes.stop(server)
