"""A private PostgreSQL server for tests and benchmarks: its own cluster in a temporary folder, on a free
port, 127.0.0.1 only; started like the Redis one (devstack/redis_server.py):

    with running_postgres() as cluster:
        url = cluster.create_database("outbox")   # postgresql+psycopg://postgres@127.0.0.1:PORT/outbox_1a2b3c


Uses Debian's server binaries (`apt-get install postgresql`; nothing else is needed: no system cluster,
no service). PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` system
user that the package creates. The session fixture `postgres` (tests/conftest.py) starts it once and removes it at the end;
when it cannot start, the tests that need it fail with the reason (never a silent skip).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from devstack.ports import free_ports

SERVER_ROOT = Path("/usr/lib/postgresql")
SUPERUSER = "postgres"
# A test cluster holds nothing worth a disk flush; these settings only make it faster.
SETTINGS = {"listen_addresses": "127.0.0.1", "fsync": "off", "synchronous_commit": "off",
            "full_page_writes": "off", "max_connections": "100"}


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server could not be found or started; the message says why and what to install."""


def server_bin() -> Path:
    """The newest installed server's bin folder (initdb, pg_ctl)."""
    found = sorted((p for p in SERVER_ROOT.glob("*/bin") if (p / "initdb").exists() and (p / "pg_ctl").exists()),
                   key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0))
    if not found:
        raise PostgresUnavailable(f"no PostgreSQL server under {SERVER_ROOT}/*/bin: install it with "
                                  "`apt-get install -y postgresql` (Debian/Ubuntu)")
    return found[-1]


@dataclass
class RunningPostgres:
    """A started cluster: connect as `postgres` (trust) on 127.0.0.1:port."""

    directory: Path
    port: int
    version: str

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def log_file(self) -> Path:
        return self.directory / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of a database, with the psycopg 3 driver the bridge ships with."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> list[tuple]:
        """Run one statement outside a transaction (CREATE DATABASE needs that); return its rows."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=database,
                             autocommit=True, connect_timeout=10) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def create_database(self, prefix: str) -> str:
        """A new empty database named `prefix_<random>`; return its URL."""
        name = f"{re.sub(r'[^a-z0-9_]', '_', prefix.lower())}_{uuid.uuid4().hex[:8]}"
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _as_owner(command: list[str]) -> list[str]:
    """PostgreSQL's tools refuse root: as root, run them as the `postgres` system user."""
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser") is None:
        raise PostgresUnavailable("running as root without `runuser` (util-linux): cannot drop to the postgres user")
    return ["runuser", "-u", SUPERUSER, "--", *command]


def _run(command: list[str], what: str, log_file: Path | None = None) -> str:
    result = subprocess.run(_as_owner(command), capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        log = log_file.read_text(errors="replace")[-3000:] if log_file and log_file.exists() else ""
        raise PostgresUnavailable(f"{what} failed ({result.returncode}): {result.stdout}{result.stderr}{log}")
    return result.stdout


def _start(kept: Path | None = None) -> RunningPostgres:
    """Start a cluster on a free port: a fresh one in a temporary folder, or the one kept in `kept` (created
    there on first use); raise PostgresUnavailable."""
    binaries = server_bin()
    directory = kept or Path(tempfile.mkdtemp(prefix="woundwo-postgres-"))
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(SUPERUSER)
        except KeyError as exc:
            if kept is None:
                shutil.rmtree(directory)
            raise PostgresUnavailable("no `postgres` system user: install the server with "
                                      "`apt-get install -y postgresql`") from exc
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    cluster = RunningPostgres(directory, free_ports()[0], binaries.parent.name)
    try:
        if not (cluster.data / "PG_VERSION").exists():
            _run([str(binaries / "initdb"), "-D", str(cluster.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync"], "initdb")
        options = " ".join([f"-p {cluster.port}", f"-k {directory}", *(f"-c {k}={v}" for k, v in SETTINGS.items())])
        _run([str(binaries / "pg_ctl"), "-D", str(cluster.data), "-l", str(cluster.log_file), "-w", "-t", "60",
              "-o", options, "start"], "pg_ctl start", cluster.log_file)
        cluster.execute("SELECT 1")
    except BaseException:
        _stop(cluster, remove=kept is None)
        raise
    return cluster


def _stop(cluster: RunningPostgres, remove: bool = True) -> None:
    """Stop the server (fast shutdown) and remove its folder unless it is kept."""
    try:
        if (cluster.data / "postmaster.pid").exists():
            _run([str(server_bin() / "pg_ctl"), "-D", str(cluster.data), "-m", "fast", "-w", "-t", "60", "stop"],
                 "pg_ctl stop", cluster.log_file)
    finally:
        if remove:
            shutil.rmtree(cluster.directory, ignore_errors=True)


@contextlib.contextmanager
def running_postgres(kept: Path | None = None) -> Iterator[RunningPostgres]:
    """A cluster for the `with` block: a fresh one removed at the end, or the one kept in the folder `kept`
    (a benchmark's generated data, reused by the next run); raise PostgresUnavailable when it cannot start."""
    cluster = _start(kept)
    try:
        yield cluster
    finally:
        _stop(cluster, remove=kept is None)
