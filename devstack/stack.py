"""`make run`: the whole stack on localhost with demo data, until Ctrl-C.

Starts the mail catcher, Keycloak (realm + theme), the bridge; seeds the demo accounts; prints the
URLs and accounts. State lives in .devstack/ so a second start is fast; a changed realm-export.json
is applied to the running realm as `flask --app bridge realm apply` does, keeping users and data.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bridge.keycloak.gateway import KeycloakGateway
from devstack import processes
from devstack.keycloak import KeycloakInstance
from devstack.seed import DEMO_ACCOUNTS, DEMO_CUSTOMERS, seed_keycloak
from devstack.settings import DEV_PORTS, REPO_ROOT, TEST_PORTS, TEST_STATE_DIR, Ports, stack_env, write_cli_settings


def say(message: str) -> None:
    """Print a progress line of the stack runner."""
    print(f"[stack] {message}", flush=True)


class Stack:
    """The local servers of one stack and the order they start and stop in."""

    def __init__(self, ports: Ports, state_dir: Path, with_bridge: bool = True):
        self.ports = ports
        self.state_dir = state_dir
        self.with_bridge = with_bridge
        self.env = stack_env(ports, state_dir)
        self.keycloak = KeycloakInstance(state_dir / "keycloak", ports.keycloak, ports.keycloak_management, self.env)
        self.children = []
        # What `flask --app bridge ...` in another shell reads while this stack runs (bridge/core/settings.py).
        self.cli_settings = state_dir / "bridge.env"

    def _spawn(self, name: str, command: list[str], ready_url: str | None = None, timeout: float = 60) -> None:
        log = self.state_dir / f"{name}.log"
        process = processes.spawn(command, self.env, log, cwd=REPO_ROOT)
        self.children.append(process)
        if ready_url:
            processes.wait_http(ready_url, timeout, process, log)
        say(f"{name} is up (log: {log.relative_to(REPO_ROOT) if log.is_relative_to(REPO_ROOT) else log})")

    def _run(self, name: str, command: list[str]) -> None:
        log = self.state_dir / f"{name}.log"
        if processes.spawn(command, self.env, log, cwd=REPO_ROOT).wait() != 0:
            raise RuntimeError(f"{name} failed; see {log}")

    def start(self, fresh: bool = False) -> None:
        """Start everything and seed the demo data; raise if a part does not come up."""
        started = time.monotonic()
        self._spawn("mailcatcher", [sys.executable, "-m", "devstack.mailcatcher",
                                    "--smtp-port", str(self.ports.smtp), "--http-port", str(self.ports.mail_http),
                                    "--store", str(self.state_dir / "mail")],
                    f"http://127.0.0.1:{self.ports.mail_http}/api/v1/messages")
        self.keycloak.prepare(fresh=fresh)
        self.keycloak.start()
        say(f"waiting for Keycloak (first start takes a minute or two on 2 cores) — log: {self.keycloak.log_file}")
        self.keycloak.wait_ready()
        self.keycloak.update_realm()
        gateway = KeycloakGateway(self.keycloak.url, "woundwo", "b2b-bridge",
                                  self.env["BRIDGE_KEYCLOAK_CLIENT_SECRET"], 10)
        seed_keycloak(gateway)
        say("demo accounts seeded")
        if self.with_bridge:
            write_cli_settings(self.env, self.cli_settings)
            flask = [sys.executable, "-m", "flask", "--app", "bridge"]
            self._run("bridge-migrate", [*flask, "db", "upgrade"])
            self._run("customers-import", [*flask, "customers", "import", str(DEMO_CUSTOMERS)])
            self._spawn("bridge", [*flask, "run", "--host", "127.0.0.1", "--port", str(self.ports.bridge)],
                        f"http://localhost:{self.ports.bridge}/healthz")
            self._spawn("worker", [*flask, "worker"])
            self._spawn("portal", [sys.executable, "-m", "flask", "--app", "examples.portal", "run", "--host",
                                   "127.0.0.1", "--port", str(self.ports.portal)],
                        f"http://localhost:{self.ports.portal}/healthz")
        say(f"everything is up after {time.monotonic() - started:.0f} s")

    def stop(self) -> None:
        """Stop every server this stack started, newest first."""
        self.cli_settings.unlink(missing_ok=True)
        for process in reversed(self.children):
            processes.stop(process)
        self.keycloak.stop()

    def banner(self) -> str:
        """The URLs and demo accounts, for the terminal."""
        kc, bridge = self.keycloak.url, f"http://localhost:{self.ports.bridge}"
        accounts = "\n".join(f"    {a.email:<38} {a.password:<22} {a.role}" for a in DEMO_ACCOUNTS)
        bridge_lines = f"""
    Request an account:       {bridge}/request-access
    Help page:                {bridge}/help
    Manager review UI:        {bridge}/manage/
    Bridge readiness:         {bridge}/readyz
    Example portal (OIDC):    http://localhost:{self.ports.portal}/""" if self.with_bridge else ""
        return f"""
  WOUNDWO B2B access — local stack
    Sign-in page (Keycloak):  {kc}/realms/woundwo/account
    Keycloak admin console:   {kc}/admin/  (admin / admin){bridge_lines}
    Mailbox (mail catcher):   http://localhost:{self.ports.mail_http}/
  Demo accounts (e-mail, password, role):
{accounts}
  Ctrl-C stops everything.
"""


def main(argv: list[str] | None = None) -> None:
    """Run the stack in the foreground until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="start Keycloak from an empty database")
    parser.add_argument("--test-ports", action="store_true",
                        help="run mail catcher and Keycloak on the test ports, for WOUNDWO_TEST_REUSE=1 test runs")
    args = parser.parse_args(argv)
    if args.test_ports:
        stack = Stack(TEST_PORTS, TEST_STATE_DIR, with_bridge=False)
    else:
        stack = Stack(DEV_PORTS, REPO_ROOT / ".devstack")
    processes.run_until_stopped(lambda: stack.start(fresh=args.fresh), stack.banner, stack.stop, say)

if __name__ == "__main__":
    main()
