"""gunicorn settings for the bridge: counters shared by all workers.

    gunicorn --config deploy/gunicorn.conf.py --bind 0.0.0.0:8000 --workers 3 'bridge:create_app()'

Each sync worker is its own process. Without this file every worker counts its own e-mail checks and
/metrics shows whichever worker answers the scrape, so Prometheus sees counters jump up and down.
With it, prometheus_client's multiprocess mode keeps every worker's counters in files of one
directory (PROMETHEUS_MULTIPROC_DIR, a new temporary one unless set) and /metrics adds them up.
The variable must be set before any worker imports prometheus_client, hence here, in the master,
before the app is loaded.
"""

import glob
import os
import shutil
import tempfile

OWN_METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
METRICS_DIR = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="bridge-metrics-"))


def on_starting(server):
    """A restart starts counting from zero, as Prometheus expects of a restarted process."""
    os.makedirs(METRICS_DIR, exist_ok=True)
    for leftover in glob.glob(os.path.join(METRICS_DIR, "*.db")):
        os.remove(leftover)


def child_exit(server, worker):
    from prometheus_client import multiprocess  # only now: the workers are forked already

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if OWN_METRICS_DIR:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)
