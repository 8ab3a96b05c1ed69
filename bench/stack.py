"""The benchmarks' own Keycloak and helpers shared by the bench scripts.

Running this module keeps a bench Keycloak up in the foreground (Ctrl-C or SIGTERM stops it), so several
benchmarks can reuse it instead of starting their own:

    .venv/bin/python -m bench.stack          # Keycloak on 127.0.0.1:28080 (management 29000)

Every bench script reuses a Keycloak that already answers on the bench management port, and
otherwise starts one from an empty database, seeds the demo accounts and stops it at the end.

Ports: the bench never binds the test ports (18000, 18001, 18080, 19000, 11025, 18025) nor the
dev-stack ports (8000, 8001, 8080, 9000, 1025, 8025); it uses 28000-28003, 28080, 29000.
State lives in .devstack/bench/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import requests

from bridge.keycloak.gateway import KeycloakGateway
from devstack import processes
from devstack.keycloak import KEYCLOAK_VERSION, KeycloakInstance, find_jdk
from devstack.seed import seed_keycloak
from devstack.settings import REPO_ROOT, Ports, stack_env

BENCH_PORTS = Ports(keycloak=28080, keycloak_management=29000, bridge=28000, portal=28001, smtp=21025,
                    mail_http=28025)
BENCH_STATE = REPO_ROOT / ".devstack" / "bench"
RESULTS = BENCH_STATE / "results"
KEYCLOAK_URL = f"http://localhost:{BENCH_PORTS.keycloak}"
# wrk and our probes talk to 127.0.0.1 directly: Keycloak and gunicorn listen on IPv4 loopback only.
KEYCLOAK_DIRECT = f"http://127.0.0.1:{BENCH_PORTS.keycloak}"
HEALTH_URL = f"http://127.0.0.1:{BENCH_PORTS.keycloak_management}/health/ready"
REALM = "woundwo"
FORBIDDEN_PORTS = {18000, 18001, 18080, 19000, 11025, 18025, 8000, 8001, 8080, 9000, 1025, 8025}


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def bench_env() -> dict[str, str]:
    """The dev-stack environment on the bench ports, state under .devstack/bench."""
    return stack_env(BENCH_PORTS, BENCH_STATE)


def check_port(port: int) -> int:
    if port in FORBIDDEN_PORTS:
        raise SystemExit(f"port {port} belongs to the test suite or the dev stack; pick another")
    return port


class BenchKeycloak(KeycloakInstance):
    """The project's Keycloak runner, with theme and template caching switched back on.

    `kc.sh start-dev` turns theme caching off (every page re-reads and re-compiles the templates);
    production (`kc.sh start`) caches them. Page timings should reflect production, so the bench
    instance caches like production does. Nothing else differs from `make run`'s Keycloak.
    """

    def command(self) -> list[str]:
        return [*super().command(), "--spi-theme--cache-themes=true", "--spi-theme--cache-templates=true"]


def keycloak_is_up() -> bool:
    try:
        return requests.get(HEALTH_URL, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def gateway() -> KeycloakGateway:
    """The bridge's own gateway (service account b2b-bridge) against the bench Keycloak."""
    return KeycloakGateway(KEYCLOAK_URL, REALM, "b2b-bridge", bench_env()["BRIDGE_KEYCLOAK_CLIENT_SECRET"], 10)


@contextlib.contextmanager
def running_keycloak(fresh: bool = True, database: dict[str, str] | None = None) -> Iterator[str]:
    """Yield the bench Keycloak's URL: reuse one that is up, else start (and later stop) our own.

    `database`: KC_DB* settings for Keycloak's own database; by default its dev-file (H2) database.
    """
    if keycloak_is_up():
        if database:
            raise SystemExit(f"a bench Keycloak with its dev-file database already runs on {KEYCLOAK_URL}; "
                             "stop it to measure with another database")
        say(f"reusing the Keycloak already running on {KEYCLOAK_URL}")
        seed_keycloak(gateway())
        yield KEYCLOAK_URL
        return
    folder = BENCH_STATE / ("keycloak-" + database["KC_DB"] if database else "keycloak")
    instance = BenchKeycloak(folder, BENCH_PORTS.keycloak, BENCH_PORTS.keycloak_management,
                             {**bench_env(), **(database or {})})
    instance.prepare(fresh=fresh)
    instance.start()
    try:
        say(f"Keycloak ready after {instance.wait_ready(600):.0f} s (log: {instance.log_file})")  # minutes on a busy machine
        instance.update_realm()
        seed_keycloak(gateway())
        say("demo accounts seeded")
        yield KEYCLOAK_URL
    finally:
        instance.stop()


def master_admin_token() -> str:
    """A token of the bootstrap admin (admin/admin on the master realm)."""
    response = requests.post(f"{KEYCLOAK_DIRECT}/realms/master/protocol/openid-connect/token", timeout=10, data={
        "grant_type": "password", "client_id": "admin-cli", "username": "admin", "password": "admin"})
    response.raise_for_status()
    return response.json()["access_token"]


def service_account_token() -> str:
    """A token of the bridge's service account b2b-bridge (client credentials)."""
    response = requests.post(f"{KEYCLOAK_DIRECT}/realms/{REALM}/protocol/openid-connect/token", timeout=10, data={
        "grant_type": "client_credentials", "client_id": "b2b-bridge",
        "client_secret": bench_env()["BRIDGE_KEYCLOAK_CLIENT_SECRET"]})
    response.raise_for_status()
    return response.json()["access_token"]


def server_info() -> dict:
    """Keycloak's own report of its version and JVM (GET /admin/serverinfo)."""
    response = requests.get(f"{KEYCLOAK_DIRECT}/admin/serverinfo", timeout=10,
                            headers={"Authorization": f"Bearer {master_admin_token()}"})
    response.raise_for_status()
    system = response.json()["systemInfo"]
    return {"keycloak": system.get("version"), "jvm": f"{system.get('javaVendor')} {system.get('javaVersion')}"}


# --- the machine and the software, for the report ---------------------------------------------------


def _proc_value(path: str, key: str) -> str:
    for line in Path(path).read_text().splitlines():
        if line.startswith(key):
            return line.split(":", 1)[1].strip()
    return "?"


def _command_version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else "?"


def machine() -> dict:
    """CPU, cores, RAM (from /proc), OS and load, and the versions of what the benchmarks run."""
    mem_kb = int(_proc_value("/proc/meminfo", "MemTotal").split()[0])
    java_home, _ = find_jdk()
    release = (java_home / "release").read_text()
    jdk = re.search(r'^JAVA_RUNTIME_VERSION="([^"]+)"', release, re.MULTILINE)
    import gunicorn
    import sqlalchemy

    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _proc_value("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "os": _os_name(),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "python": platform.python_version(),
        "keycloak": KEYCLOAK_VERSION,
        "jdk": f"{java_home.name} ({jdk.group(1) if jdk else '?'})",
        "gunicorn": gunicorn.__version__,
        "granian": importlib.metadata.version("granian") if importlib.util.find_spec("granian") else None,
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": sqlite3.sqlite_version,
        "wrk": _command_version(["wrk", "--version"]).split(" [")[0],
        "chromium": _command_version(["chromium", "--version"]),
    }


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.platform()


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- CPU accounting of process trees --------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    children = _children_map()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds consumed so far by these processes (those still alive)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        values = fields[fields.rindex(")") + 2:].split()
        total += int(values[11]) + int(values[12])  # utime, stime
    return total / ticks


def machine_cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine so far (all cores; /proc/stat minus idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    busy = sum(values) - values[3] - values[4]
    return busy / os.sysconf("SC_CLK_TCK")


def keycloak_pids() -> list[int]:
    """The Java process(es) listening as the bench Keycloak (found by its install folder)."""
    marker = str(BENCH_STATE / "keycloak")
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if "java" in cmdline and marker in cmdline:
                pids.append(int(entry.name))
    return pids


# --- servers started by a bench -----------------------------------------------------------------


class Server:
    """A gunicorn (or other) server started for a benchmark, in its own process group."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], ready_url: str):
        self.name = name
        self.command = command
        self.env = env
        self.ready_url = ready_url
        self.log_file = BENCH_STATE / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        self.process = processes.spawn(self.command, self.env, self.log_file, cwd=REPO_ROOT)
        processes.wait_http(self.ready_url, 60, self.process, self.log_file)
        return self

    def __exit__(self, *exc) -> None:
        processes.stop(self.process)

    def pids(self) -> list[int]:
        return tree(self.process.pid)


def gunicorn_command(app: str, port: int, workers: int = 2, threads: int | None = 8) -> list[str]:
    """gunicorn as production runs it: with deploy/gunicorn.conf.py (counters shared by the workers)."""
    command = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
               "--bind", f"127.0.0.1:{check_port(port)}", "--workers", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    return [*command, app]


def granian_command(app: str, port: int, workers: int = 2) -> list[str]:
    """The same app under granian (Rust HTTP server, WSGI interface, kept-alive connections): a diagnostic
    of how much the Python HTTP server costs. Needs the bench extra: pip install -e '.[bench]'."""
    if importlib.util.find_spec("granian") is None:
        raise SystemExit("granian is needed for the *-granian targets: .venv/bin/pip install -e '.[bench]'")
    factory = app.removesuffix("()")  # granian calls the factory itself with --factory
    return [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port",
            str(check_port(port)), "--workers", str(workers), "--no-ws", "--log-level", "warning", "--factory", factory]


def save_results(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    return path


def main(argv: list[str] | None = None) -> None:
    """Keep a bench Keycloak running until Ctrl-C, for several bench runs in a row."""
    import argparse

    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with running_keycloak():
        say(f"bench Keycloak up on {KEYCLOAK_URL} (admin console: admin / admin); Ctrl-C stops it")
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
