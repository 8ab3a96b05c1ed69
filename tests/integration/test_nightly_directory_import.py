"""The nightly directory import of docker-compose.yml (docker/directory-import.sh), run as it is, with the real
`flask` command and migrated database: at the set time the dropped export is imported as the whole directory
and moved aside; a night without a file changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bridge.core.migrate import upgrade
from bridge.core.models import Customer
from devstack.seed import DEMO_CUSTOMERS
from devstack.settings import REPO_ROOT

SETTINGS = {
    "BRIDGE_ENV": "development", "BRIDGE_SECRET_KEY": "dev-only-secret-key-not-for-production",
    "BRIDGE_PUBLIC_URL": "http://localhost:8000", "BRIDGE_KEYCLOAK_URL": "http://localhost:8080",
    "BRIDGE_KEYCLOAK_CLIENT_SECRET": "dev-bridge-secret", "BRIDGE_MANAGER_CLIENT_SECRET": "dev-manager-secret",
    "BRIDGE_FALLBACK_MANAGER_EMAIL": "b2b-team@woundwo.example",
}


def run_one_night(tmp_path: Path, drop: Path, database: str) -> subprocess.Popen:
    """The script with the import time a few seconds from now, and the venv's `flask` on its PATH."""
    at = (datetime.now() + timedelta(seconds=3)).strftime("%H:%M:%S")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}, **SETTINGS,
           "BRIDGE_DATABASE_URL": database, "DROP": str(drop), "DIRECTORY_IMPORT_AT": at,
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.Popen(["sh", str(REPO_ROOT / "docker" / "directory-import.sh")], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for_line(process: subprocess.Popen, start: str, timeout: float = 60) -> list[str]:
    lines, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if line.startswith(start):
                return lines
        raise AssertionError(f"no line starting {start!r} in {lines}")
    finally:
        process.terminate()
        process.wait(10)


def test_the_dropped_export_is_imported_at_night_as_the_whole_directory_then_moved_aside(tmp_path):
    database = f"sqlite:///{tmp_path / 'bridge.sqlite'}"
    upgrade(database)
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "customers.csv").write_bytes(b"".join(
        line for line in DEMO_CUSTOMERS.read_bytes().splitlines(keepends=True) if not line.startswith(b"100002")))
    with Session(create_engine(database)) as session:
        session.add(Customer(customer_number="100002", company="Sanitätshaus Berger GmbH", country="DE"))
        session.commit()
    output = wait_for_line(run_one_night(tmp_path, drop, database), "directory import of ")
    assert "customer 100002 suspended (missing)" in "".join(output), output
    assert "exit status 0," in output[-1]
    assert not (drop / "customers.csv").exists() and len(list((drop / "done").glob("customers-*.csv"))) == 1
    with Session(create_engine(database)) as session:
        assert session.get(Customer, "100002").suspended_at is not None
        assert len(session.scalars(select(Customer)).all()) == 22


def test_a_night_without_an_export_changes_nothing(tmp_path):
    database = f"sqlite:///{tmp_path / 'bridge.sqlite'}"
    upgrade(database)
    output = wait_for_line(run_one_night(tmp_path, tmp_path / "drop", database), "directory import: no ")
    assert "nothing changed" in output[-1]
