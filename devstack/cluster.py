"""`make cluster`: the production topology on this machine, every part on its own 127.0.0.1 port.

    PostgreSQL (databases `keycloak` and `bridge`) and Redis (the bridges' shared limits)
    two Keycloak nodes, one distribution built once for PostgreSQL, `kc.sh start --optimized`,
        clustered by Keycloak's own embedded Infinispan over its default `jdbc-ping` stack
        (the nodes find each other through a table in the `keycloak` database)
    nginx: the public Keycloak address (deploy/nginx/ with an upstream of both nodes), an internal
        Keycloak address (every path, for the bridges and operators) and the bridges' address
    two bridges under gunicorn, two outbox workers, the example portal and the mail catcher

Keycloak needs nothing of ours to cluster: production mode defaults to `--cache=ispn` and
`--cache-stack=jdbc-ping`, and user sessions are persisted in the database (Keycloak 26's default), so
a partner stays signed in when a node dies. docs/cluster.md says what was chosen and why.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import requests

from bridge.keycloak.gateway import KeycloakGateway
from devstack import processes
from devstack.debian import debian_program
from devstack.keycloak import REALM_FILE, KeycloakInstance, find_jdk, install
from devstack.postgres_server import SUPERUSER, RunningPostgres, running_postgres
from devstack.redis_server import running_redis
from devstack.seed import DEMO_ACCOUNTS, DEMO_CUSTOMERS, seed_keycloak
from devstack.settings import REPO_ROOT, Ports, stack_env

SHIPPED_NGINX = REPO_ROOT / "deploy" / "nginx"
# Options Keycloak bakes into its build (`kc.sh build`); everything else is given to `start --optimized`.
# keycloak_user_events_total on the management port: the failed-sign-in alerts of docs/security.md §4.
BUILD_OPTIONS = ("--db=postgres", "--health-enabled=true", "--metrics-enabled=true", "--event-metrics-user-enabled=true")
# Infinispan logs each membership change: "ISPN000094: Received new cluster view for channel ISPN:
# [node-a-123|1] (2) [node-a-123, node-b-456]".
CLUSTER_VIEW = re.compile(r"ISPN000094: Received new cluster view for channel \S+: \[[^\]]*\] \((\d+)\) \[([^\]]*)\]")


def say(message: str) -> None:
    """Print a progress line of the cluster runner."""
    print(f"[cluster] {message}", flush=True)


@dataclass(frozen=True)
class NodePorts:
    """One Keycloak node's listeners: HTTP (behind nginx), management (health, metrics), JGroups."""

    http: int
    management: int
    jgroups: int


@dataclass(frozen=True)
class ClusterPorts:
    """Every port of the cluster; nginx's three are the only ones a browser or portal app is given."""

    keycloak_public: int
    keycloak_internal: int
    bridge_public: int
    nodes: tuple[NodePorts, NodePorts]
    bridges: tuple[int, int]
    portal: int
    smtp: int
    mail_http: int
    redis: int

    def shifted(self, by: int, jgroups_by: int) -> "ClusterPorts":
        """The same layout `by` ports higher, JGroups `jgroups_by` higher (the tests' copy)."""
        nodes = tuple(NodePorts(node.http + by, node.management + by, node.jgroups + jgroups_by) for node in self.nodes)
        return replace(self, keycloak_public=self.keycloak_public + by, keycloak_internal=self.keycloak_internal + by,
                       bridge_public=self.bridge_public + by, nodes=nodes,
                       bridges=tuple(port + by for port in self.bridges), portal=self.portal + by,
                       smtp=self.smtp + by, mail_http=self.mail_http + by, redis=self.redis + by)

    def all(self) -> list[int]:
        """Every port, for the check that none is taken before starting."""
        node_ports = [port for node in self.nodes for port in (node.http, node.management, node.jgroups)]
        return [self.keycloak_public, self.keycloak_internal, self.bridge_public, *node_ports, *self.bridges,
                self.portal, self.smtp, self.mail_http, self.redis]


# Away from `make run`'s ports (devstack/settings.py), so both can run at once. JGroups also opens its
# failure-detection socket (FD_SOCK2) this far above the transport port, so JGroups ports stay below 15536.
FD_SOCK2_OFFSET = 50000
# The HTTP ports sit within 8400-8499, so test runs whose WOUNDWO_TEST_PORT_OFFSETs differ by 100 never share one.
DEV_CLUSTER_PORTS = ClusterPorts(
    keycloak_public=8480, keycloak_internal=8481, bridge_public=8400,
    nodes=(NodePorts(8490, 8495, 7800), NodePorts(8491, 8496, 7810)),
    bridges=(8401, 8402), portal=8403, smtp=1125, mail_http=8425, redis=6479)
# The tests' cluster: 20000 higher (JGroups 20), then WOUNDWO_TEST_PORT_OFFSET, beside the single-node test ports.
_OFFSET = int(os.environ.get("WOUNDWO_TEST_PORT_OFFSET", "0"))
TEST_CLUSTER_PORTS = DEV_CLUSTER_PORTS.shifted(20000 + _OFFSET, 20 + _OFFSET)


def taken_ports(ports: list[int]) -> list[int]:
    """The ports something on 127.0.0.1 already accepts connections on."""
    taken = []
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                taken.append(port)
    return taken


def cluster_view(log_file: Path, since: int = 0) -> list[str]:
    """The members of the newest cluster view a node logged after byte `since` (empty before its first view)."""
    if not log_file.exists():
        return []
    with log_file.open("rb") as log:
        log.seek(since)
        views = CLUSTER_VIEW.findall(log.read().decode(errors="replace"))
    return [member.strip() for member in views[-1][1].split(",")] if views else []


class KeycloakInstall:
    """One copy of the distribution, built once for PostgreSQL; every node runs from it."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.marker = directory / "data" / "cluster-build.sha256"

    def prepare(self, env: dict[str, str]) -> None:
        """Copy the distribution, link the theme, stage the realm for import, run `kc.sh build` if needed."""
        install(self.directory, env)
        staged = self.directory / "data" / "import"
        staged.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REALM_FILE, staged / "realm-export.json")
        build_hash = hashlib.sha256(" ".join(BUILD_OPTIONS).encode()).hexdigest()
        if self.marker.exists() and self.marker.read_text() == build_hash:
            return
        say("kc.sh build (once per install folder; about a minute)")
        java_home, _ = find_jdk()
        log = self.directory / "build.log"
        build = processes.spawn([str(self.directory / "bin" / "kc.sh"), "build", *BUILD_OPTIONS],
                                {"JAVA_HOME": str(java_home)}, log, cwd=self.directory)
        if build.wait(600) != 0:
            raise RuntimeError(f"kc.sh build failed; see {log}")
        self.marker.write_text(build_hash)


class ClusterNode(KeycloakInstance):
    """One Keycloak node in production mode: `kc.sh start --optimized` with its own ports and log."""

    def __init__(self, name: str, install: KeycloakInstall, ports: NodePorts, cluster: "ClusterPorts",
                 database_port: int, env: dict[str, str], import_realm: bool):
        super().__init__(install.directory, ports.http, ports.management, env)
        self.name = name
        self.ports = ports
        self.public_url = f"http://localhost:{cluster.keycloak_public}"
        self.admin_url = f"http://localhost:{cluster.keycloak_internal}"
        self.database_port = database_port
        self.import_realm = import_realm
        self.log_start = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def address(self) -> str:
        """The node as nginx's $upstream_addr names it."""
        return f"127.0.0.1:{self.http_port}"

    @property
    def log_file(self) -> Path:
        return self.directory / f"{self.name}.log"

    def command(self) -> list[str]:
        return [
            str(self.directory / "bin" / "kc.sh"), "start", "--optimized",
            f"--db-url=jdbc:postgresql://127.0.0.1:{self.database_port}/keycloak",
            f"--db-username={SUPERUSER}",
            # Clustering as Keycloak 26 ships it (these are the defaults, written out for the reader).
            "--cache=ispn", "--cache-stack=jdbc-ping",
            "--cache-embedded-network-bind-address=127.0.0.1",
            f"--cache-embedded-network-bind-port={self.ports.jgroups}",
            # Plain HTTP on loopback behind nginx, which alone is reachable (TLS would end there).
            "--http-enabled=true", "--http-host=127.0.0.1",
            f"--http-port={self.http_port}", f"--http-management-port={self.management_port}",
            # Hostname v2: every URL Keycloak writes (pages, redirects, the tokens' issuer) is nginx's public
            # address, whichever address a request came in by; the admin console is on the internal one.
            f"--hostname={self.public_url}", f"--hostname-admin={self.admin_url}",
            "--proxy-headers=xforwarded", "--proxy-trusted-addresses=127.0.0.1",
            *(["--import-realm"] if self.import_realm else []),
        ]

    def start(self) -> None:
        """Start the node; the database password is unused (trust on loopback) but Keycloak wants one."""
        # The log is appended to: only what this run writes counts for the cluster view.
        self.log_start = self.log_file.stat().st_size if self.log_file.exists() else 0
        self.env = {**self.env, "KC_DB_PASSWORD": "loopback-trust"}
        super().start()

    def cluster_view(self) -> list[str]:
        """The members of the newest cluster view this run of the node logged."""
        return cluster_view(self.log_file, self.log_start)

    def kill(self) -> None:
        """SIGKILL the node: a crash, not a shutdown."""
        processes.kill(self.process)


NGINX_CONFIG = """\
daemon off;
worker_processes 1;
pid {state}/nginx.pid;
error_log {state}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format upstream '$server_port $remote_addr "$request" $status upstream=$upstream_addr';
    access_log {state}/nginx-access.log upstream;
    client_body_temp_path {state}/body;
    proxy_temp_path {state}/proxy;
    fastcgi_temp_path {state}/fastcgi;
    uwsgi_temp_path {state}/uwsgi;
    scgi_temp_path {state}/scgi;
    # The bridges and the example portal call the token endpoint from this host.
    geo $woundwo_portal_app_server {{ default 0; 127.0.0.1 1; }}
    include {shipped}/keycloak-rate-limit.conf;
    include {shipped}/upstream-failover.conf;
    upstream keycloak {{
{keycloak_servers}
    }}
    upstream bridge {{
{bridge_servers}
    }}
    server {{
        listen 127.0.0.1:{keycloak_public};
        include {shipped}/keycloak-server.conf;
    }}
    # The internal address: every path (admin API, admin console) for the bridges and operators.
    server {{
        listen 127.0.0.1:{keycloak_internal};
        location / {{
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_pass http://keycloak;
        }}
    }}
    server {{
        listen 127.0.0.1:{bridge_public};
        include {shipped}/bridge-server.conf;
    }}
}}
"""


def upstream_servers(addresses: list[str]) -> str:
    """nginx `server` lines with the passive health check of docs/cluster.md."""
    return "\n".join(f"        server {address} max_fails=1 fail_timeout=10s;" for address in addresses)


class Cluster:
    """The processes of one cluster, started in dependency order and stopped in reverse."""

    def __init__(self, ports: ClusterPorts, state_dir: Path, settings: dict[str, str] | None = None):
        self.ports = ports
        self.state_dir = state_dir
        self.settings = settings or {}
        self.resources = contextlib.ExitStack()
        self.children: list[subprocess.Popen] = []
        self.postgres: RunningPostgres | None = None
        self.redis_url = ""
        self.install = KeycloakInstall(state_dir / "keycloak")
        self.nodes: list[ClusterNode] = []
        self.bridges: dict[int, subprocess.Popen] = {}
        self.workers: list[subprocess.Popen] = []
        self.env: dict[str, str] = {}

    @property
    def keycloak_url(self) -> str:
        """The one public address of Keycloak (nginx)."""
        return f"http://localhost:{self.ports.keycloak_public}"

    @property
    def keycloak_internal_url(self) -> str:
        return f"http://localhost:{self.ports.keycloak_internal}"

    @property
    def bridge_url(self) -> str:
        return f"http://localhost:{self.ports.bridge_public}"

    @property
    def portal_url(self) -> str:
        return f"http://localhost:{self.ports.portal}"

    @property
    def mail_api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.mail_http}"

    @property
    def nginx_access_log(self) -> Path:
        return self.state_dir / "nginx" / "nginx-access.log"

    def _environment(self) -> dict[str, str]:
        single = Ports(keycloak=self.ports.keycloak_public, keycloak_management=self.ports.nodes[0].management,
                       bridge=self.ports.bridge_public, portal=self.ports.portal, smtp=self.ports.smtp,
                       mail_http=self.ports.mail_http)
        return {
            **stack_env(single, self.state_dir),
            "BRIDGE_DATABASE_URL": self.postgres.url("bridge"),
            "BRIDGE_RATELIMIT_STORAGE_URI": self.redis_url,
            "BRIDGE_KEYCLOAK_URL": self.keycloak_internal_url,
            "BRIDGE_KEYCLOAK_PUBLIC_URL": self.keycloak_url,
            "BRIDGE_TRUSTED_PROXIES": "1",
            "BRIDGE_WORKER_POLL_SECONDS": "1",
            **self.settings,
        }

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        process = processes.spawn(command, env or self.env, self.state_dir / f"{name}.log", cwd=REPO_ROOT)
        self.children.append(process)
        return process

    def _run(self, name: str, command: list[str]) -> None:
        log = self.state_dir / f"{name}.log"
        if processes.spawn(command, self.env, log, cwd=REPO_ROOT).wait(120) != 0:
            raise RuntimeError(f"{name} failed; see {log}")

    def start(self) -> float:
        """Start everything, seed the demo data; raise if a part does not come up. Return the seconds taken."""
        started = time.monotonic()
        taken = taken_ports(self.ports.all())
        if taken:
            raise RuntimeError(f"ports already in use: {taken} (is another cluster running?)")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.postgres = self.resources.enter_context(running_postgres())
        for database in ("keycloak", "bridge"):
            self.postgres.execute(f'CREATE DATABASE "{database}"')
        self.redis_url = self.resources.enter_context(running_redis(self.ports.redis))
        self.env = self._environment()
        mail = self._spawn("mailcatcher", [sys.executable, "-m", "devstack.mailcatcher",
                                           "--smtp-port", str(self.ports.smtp), "--http-port", str(self.ports.mail_http),
                                           "--store", str(self.state_dir / "mail")])
        processes.wait_http(f"{self.mail_api_url}/api/v1/messages", 60, mail, self.state_dir / "mailcatcher.log")
        self.install.prepare(self.env)
        self.nodes = [ClusterNode(f"node-{index + 1}", self.install, node_ports, self.ports, self.postgres.port,
                                  self.env, import_realm=index == 0)
                      for index, node_ports in enumerate(self.ports.nodes)]
        # The first node imports the realm and creates the schema; the second waits for it, then joins.
        self.nodes[0].start()
        say(f"waiting for node-1 (creates the schema, imports the realm) — log: {self.nodes[0].log_file}")
        self.nodes[0].wait_ready(600)
        self.nodes[1].start()
        say(f"waiting for node-2 — log: {self.nodes[1].log_file}")
        self.nodes[1].wait_ready(600)
        self.wait_for_view(2)
        self._start_nginx()
        seed_keycloak(KeycloakGateway(self.keycloak_internal_url, "woundwo", "b2b-bridge",
                                      self.env["BRIDGE_KEYCLOAK_CLIENT_SECRET"], 10))
        say("demo accounts seeded")
        flask = [sys.executable, "-m", "flask", "--app", "bridge"]
        self._run("bridge-migrate", [*flask, "db", "upgrade"])
        self._run("customers-import", [*flask, "customers", "import", str(DEMO_CUSTOMERS)])
        for port in self.ports.bridges:
            self.start_bridge(port)
        self.workers = [self.start_worker(index) for index in (1, 2)]
        portal = self._spawn("portal", [sys.executable, "-m", "flask", "--app", "examples.portal", "run",
                                        "--host", "127.0.0.1", "--port", str(self.ports.portal)])
        processes.wait_http(f"{self.portal_url}/healthz", 60, portal, self.state_dir / "portal.log")
        seconds = time.monotonic() - started
        say(f"everything is up after {seconds:.0f} s")
        return seconds

    def wait_for_view(self, size: int, timeout: float = 180) -> list[str]:
        """Block until every running node's newest cluster view has `size` members; return those members."""
        deadline = time.monotonic() + timeout
        while True:
            views = [node.cluster_view() for node in self.nodes if node.process and node.process.poll() is None]
            if views and all(len(view) == size for view in views):
                say(f"cluster view: {', '.join(views[0])}")
                return views[0]
            if time.monotonic() > deadline:
                raise TimeoutError(f"no cluster view of {size} nodes after {timeout:.0f} s (views: {views}); "
                                   f"see {[str(node.log_file) for node in self.nodes]}")
            time.sleep(1)

    def node_behind(self, request: str) -> ClusterNode:
        """The node nginx sent the newest request starting with `request` ("POST /realms/...") to, through
        the public address."""
        lines = [line for line in self.nginx_access_log.read_text().splitlines()
                 if line.startswith(f"{self.ports.keycloak_public} ") and f'"{request}' in line]
        if not lines:
            raise LookupError(f"nginx logged no request {request!r}")
        # After a retry nginx lists every server it tried ("a, b"): the last one answered.
        address = lines[-1].rsplit("upstream=", 1)[1].split(",")[-1].strip()
        return next(node for node in self.nodes if node.address == address)

    def restart_node(self, node: ClusterNode) -> float:
        """Start a stopped or killed node again; wait until it is ready, back in the cluster view and used by nginx."""
        started = time.monotonic()
        node.import_realm = False
        node.start()
        node.wait_ready(600)
        self.wait_for_view(len(self.nodes))
        self.wait_until_nginx_uses(self.ports.keycloak_public, "/realms/woundwo/.well-known/openid-configuration",
                                   node.address)
        return time.monotonic() - started

    def wait_until_nginx_uses(self, public_port: int, path: str, address: str, timeout: float = 60) -> None:
        """Send GETs through nginx until one is answered by `address`: a server nginx marked down after a
        failure gets no requests for fail_timeout (10 s), even once it is back."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = len(self.nginx_access_log.read_text().splitlines())
            requests.get(f"http://localhost:{public_port}{path}", timeout=30)
            answered_by = [line.rsplit("upstream=", 1)[1].split(",")[-1].strip()
                           for line in self.nginx_access_log.read_text().splitlines()[seen:]
                           if line.startswith(f"{public_port} ") and f'"GET {path} ' in line]
            if address in answered_by:
                return
            time.sleep(0.5)
        raise TimeoutError(f"nginx did not send a request to {address} within {timeout:.0f} s")

    def _start_nginx(self) -> None:
        state = self.state_dir / "nginx"
        state.mkdir(parents=True, exist_ok=True)
        self.nginx_access_log.unlink(missing_ok=True)   # one run's requests only
        config = state / "nginx.conf"
        config.write_text(NGINX_CONFIG.format(
            state=state, shipped=SHIPPED_NGINX, keycloak_public=self.ports.keycloak_public,
            keycloak_internal=self.ports.keycloak_internal, bridge_public=self.ports.bridge_public,
            keycloak_servers=upstream_servers([node.address for node in self.nodes]),
            bridge_servers=upstream_servers([f"127.0.0.1:{port}" for port in self.ports.bridges])))
        command = [str(debian_program("nginx", "/usr/sbin/nginx")), "-p", str(state), "-c", str(config),
                   "-e", str(state / "nginx-error.log")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx refused the configuration:\n{checked.stderr}")
        nginx = self._spawn("nginx", command)
        processes.wait_http(f"{self.keycloak_url}/realms/woundwo/.well-known/openid-configuration", 30, nginx,
                            state / "nginx-error.log")

    def start_bridge(self, port: int) -> subprocess.Popen:
        """One bridge under gunicorn, as in production (deploy/gunicorn.conf.py), behind nginx."""
        name = f"bridge-{self.ports.bridges.index(port) + 1}"
        process = self._spawn(name, [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
                                     "--bind", f"127.0.0.1:{port}", "--workers", "2",
                                     # Its default control socket is one path per user: two bridges would share it.
                                     "--no-control-socket", "bridge:create_app()"])
        processes.wait_http(f"http://127.0.0.1:{port}/healthz", 60, process, self.state_dir / f"{name}.log")
        self.bridges[port] = process
        return process

    def restart_bridge(self, port: int) -> None:
        """Start a killed bridge again; wait until nginx sends it requests again."""
        self.start_bridge(port)
        self.wait_until_nginx_uses(self.ports.bridge_public, "/healthz", f"127.0.0.1:{port}")

    def start_worker(self, number: int) -> subprocess.Popen:
        """Outbox worker `number` (1 or 2): `flask --app bridge worker`, as on its own host."""
        return self._spawn(f"worker-{number}", [sys.executable, "-m", "flask", "--app", "bridge", "worker"])

    def kill_bridge(self, port: int) -> None:
        """SIGKILL one bridge's gunicorn, master and workers."""
        processes.kill(self.bridges.pop(port))

    def stop(self) -> None:
        """Stop every process this cluster started, newest first, then Redis and PostgreSQL."""
        for process in reversed(self.children):
            processes.stop(process)
        for node in self.nodes:
            node.stop()
        self.resources.close()

    def banner(self) -> str:
        """The one address and the demo accounts, for the terminal."""
        accounts = "\n".join(f"    {a.email:<38} {a.password:<22} {a.role}" for a in DEMO_ACCOUNTS)
        nodes = "\n".join(f"    {node.name}: http {node.http_port}, management {node.management_port} "
                          f"(/health/ready, /metrics), JGroups {node.ports.jgroups}" for node in self.nodes)
        return f"""
  WOUNDWO B2B access — local cluster (two Keycloak nodes, two bridges, two workers)
    Sign-in page (Keycloak):  {self.keycloak_url}/realms/woundwo/account
    Keycloak admin console:   {self.keycloak_internal_url}/admin/  (admin / admin; internal address)
    Request an account:       {self.bridge_url}/request-access
    Manager review UI:        {self.bridge_url}/manage/
    Example portal (OIDC):    {self.portal_url}/
    Mailbox (mail catcher):   http://localhost:{self.ports.mail_http}/
  Keycloak nodes behind nginx:
{nodes}
  Demo accounts (e-mail, password, role):
{accounts}
  Ctrl-C stops everything.
"""


def main(argv: list[str] | None = None) -> None:
    """Run the cluster in the foreground until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    cluster = Cluster(DEV_CLUSTER_PORTS, REPO_ROOT / ".devstack" / "cluster")
    processes.run_until_stopped(cluster.start, cluster.banner, cluster.stop, say)

if __name__ == "__main__":
    main()
