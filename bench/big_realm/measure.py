"""What people feel in the big realm, each measure beside a baseline taken in the same round:

* **uncached e-mail check** (`POST /api/v1/email-status`, one client, sequential): every check a distinct
  address the bridge has not answered before, known partners and unknown addresses in turn. Baseline: the two
  Keycloak admin calls a miss needs at least (the user search by e-mail, then the user's realm roles), sent
  straight to Keycloak with the service account's token — the floor of any uncached check.
* **approval up to "provisioned"**: a manager's `POST /manage/requests/<id>/approve` (after the page's GET, for
  its CSRF token) until the worker (one `flask --app bridge worker`, production settings) has recorded the
  request as provisioned in Keycloak; split into the answer to the POST, the wait for the worker and the
  worker's own work (the provision row's claim and done times). Baseline: the provisioning's Keycloak calls
  made directly (`provisioning.grant_access` and `ensure_user` through the gateway) for a new person.
* **queue page**, first and last page: manager.1 (about 1,250 pending) and the admin (all 10,000). Baseline:
  `/manage/absences`, a review page behind the same sign-in check that reads nothing that grows.
* **request page** of a pending request (directory comparison, the customer's people, their team admins).
* **directory import** of the same 100,000 rows again (`flask --app bridge customers import`, and `--full`),
  each a new process. Baseline: the same command on a file with the header only (its start-up).
* **Keycloak's start** (`kc.sh start-dev`, as `make run`) on the big realm's database and on the same realm
  without the partners (`keycloak_small`), interleaved.

Rounds interleave the measures so that a product figure and its baseline see the same machine; the machine's
load and the CPU other processes took are recorded with each round. The bridge runs under gunicorn with
deploy/gunicorn.conf.py, 3 sync workers, rate-limit counters in Redis, the limits raised out of the way.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import statistics
import sys
import time
from pathlib import Path

import psycopg
import requests

from bench import stack
from bench.big_realm import PORTS, REDIS_PORT, STATE
from bench.big_realm import generate
from bench.big_realm.plan import MANAGERS, PARTNERS, Plan
from bench.customer_import import timed
from bench.email_status import RAISED_LIMITS
from bench.stack import Server, gunicorn_command, loadavg, machine_cpu_seconds, say
from devstack import processes
from devstack.bulk_activations import flask_command
from devstack.postgres_server import RunningPostgres
from devstack.redis_server import running_redis

MEASURES = ("email", "approve", "queue", "detail", "import", "start")
GOALS_MS = {"email": 50, "approve": 500, "queue": 200, "detail": 200}
IMPORT_GOAL_S = 15
ADMIN = "admin@woundwo.example"
API = "/api/v1/email-status"
# The worker's rounds (reminders, expiry, inactivity) would act on the generated requests and partners while
# the approvals are timed; they run in a thread of their own every ten minutes and are not what is measured.
WORKER_SETTINGS = {"BRIDGE_REMINDER_WORKING_DAYS": "0", "BRIDGE_ESCALATION_WORKING_DAYS": "0",
                   "BRIDGE_REQUEST_EXPIRY_DAYS": "0", "BRIDGE_INACTIVITY_DAYS": "0"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--measures", default=",".join(MEASURES), help=f"comma-separated, from {', '.join(MEASURES)}")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--checks", type=int, default=200, help="uncached e-mail checks per round (and baseline)")
    parser.add_argument("--pages", type=int, default=20, help="GETs of each page per round")
    parser.add_argument("--approvals", type=int, default=10, help="approvals per round")
    parser.add_argument("--imports", type=int, default=3, help="directory imports of each kind")
    parser.add_argument("--starts", type=int, default=2, help="Keycloak starts of each database")
    parser.add_argument("--results", default="big_realm", help="name of the results JSON")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(samples: list[float]) -> dict:
    return {"n": len(samples), "p50": round(statistics.median(samples), 1), "p95": round(percentile(samples, 0.95), 1),
            "p99": round(percentile(samples, 0.99), 1), "max": round(max(samples), 1)}


def timed_ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


class Machine:
    """Load average and the CPU others took (of 200 % on 2 cores) while a block ran."""

    def __init__(self, own: list[int]):
        self.own = own

    @contextlib.contextmanager
    def watch(self, into: dict):
        pids = [pid for root in self.own for pid in stack.tree(root)]
        started, machine_cpu, own_cpu = time.monotonic(), machine_cpu_seconds(), stack.cpu_seconds(pids)
        into["load_before"] = loadavg()
        yield
        wall = time.monotonic() - started
        others = machine_cpu_seconds() - machine_cpu - (stack.cpu_seconds(pids) - own_cpu)
        into["cpu_others_pct"] = round(100 * max(others, 0) / wall)
        into["load_after"] = loadavg()


class Browser:
    """A signed-in reviewer's browser: the session cookie sent by hand (it is Secure; this is plain HTTP)."""

    def __init__(self, base: str, name: str, value: str):
        self.base, self.name, self.value = base, name, value
        self.http = requests.Session()

    def _keep(self, response: requests.Response) -> requests.Response:
        if self.name in response.cookies:
            self.value = response.cookies[self.name]
        return response

    def get(self, path: str) -> requests.Response:
        response = self._keep(self.http.get(self.base + path, headers={"Cookie": f"{self.name}={self.value}"},
                                            allow_redirects=False, timeout=30))
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code}")
        return response

    def post(self, path: str, data: dict) -> requests.Response:
        return self._keep(self.http.post(self.base + path, data=data, allow_redirects=False, timeout=30,
                                         headers={"Cookie": f"{self.name}={self.value}"}))


def signed_in(app, email: str, roles: list[str]) -> Browser:
    """A session cookie as the review UI's sign-in leaves it, signed with the bridge's key."""
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["reviewer"] = {"email": email, "name": email.split("@")[0], "roles": roles}
        cookie["seen_at"] = cookie["signed_in_at"] = time.time()
        cookie["sid"] = secrets.token_urlsafe(24)
    name = app.config["SESSION_COOKIE_NAME"]
    return Browser(f"http://127.0.0.1:{PORTS.bridge}", name, client.get_cookie(name).value)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


class Bench:
    def __init__(self, cluster: RunningPostgres, env: dict[str, str], plan: Plan, args):
        self.cluster, self.env, self.plan, self.args = cluster, env, plan, args
        self.dsn = cluster.url("bridge").replace("+psycopg", "")
        self.known = iter(range(PARTNERS - 1, -1, -1))  # partners from the last: approvals take none of them
        self.unknown = iter(range(10 ** 9))
        self.results: dict = {"rounds": []}

    # --- e-mail check ---------------------------------------------------------------------------

    def next_addresses(self, count: int) -> list[tuple[str, bool]]:
        """Known and unknown in turn, never asked before in this run (nor, for unknown ones, ever)."""
        run = secrets.token_hex(3)
        return [(self.plan.partners[next(self.known)].email, True) if n % 2 == 0 else
                (f"nobody.{run}.{next(self.unknown)}@unknown.example", False) for n in range(count)]

    def warm_up(self) -> None:
        """Checks until 20 in a row get their real answer: the first calls of a cold Keycloak outlast the
        bridge's 1.5 s deadline, after which the bridge pauses asking Keycloak for a few seconds."""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                self.email_checks(20)
                return
            except SystemExit as exc:
                say(f"warming up: {exc}")
                time.sleep(11)
        raise SystemExit("the e-mail check did not answer for 5 minutes")

    def email_checks(self, count: int) -> list[float]:
        http, samples = requests.Session(), []
        origin = self.env["BRIDGE_KEYCLOAK_URL"]
        for address, known in self.next_addresses(count):
            started = time.perf_counter()
            response = http.post(f"http://127.0.0.1:{PORTS.bridge}{API}", json={"email": address}, timeout=10,
                                 headers={"Origin": origin})
            samples.append((time.perf_counter() - started) * 1000)
            status = response.json().get("status")
            if status != ("known" if known else "unknown"):
                raise SystemExit(f"e-mail check: {status} ({response.status_code}) for a {'known' if known else 'unknown'} address")
        return samples

    def keycloak_floor(self, count: int) -> list[float]:
        """The search by e-mail and the realm-role read, straight to Keycloak (service-account token)."""
        token = requests.post(f"http://127.0.0.1:{PORTS.keycloak}/realms/woundwo/protocol/openid-connect/token",
                              data={"grant_type": "client_credentials", "client_id": "b2b-bridge",
                                    "client_secret": self.env["BRIDGE_KEYCLOAK_CLIENT_SECRET"]}, timeout=30).json()
        http, samples = requests.Session(), []
        http.headers["Authorization"] = f"Bearer {token['access_token']}"
        users = f"http://127.0.0.1:{PORTS.keycloak}/admin/realms/woundwo/users"
        for address, known in self.next_addresses(count):
            started = time.perf_counter()
            found = http.get(users, params={"email": address, "exact": "true"}, timeout=10).json()
            if found:
                http.get(f"{users}/{found[0]['id']}/role-mappings/realm/composite", timeout=10).raise_for_status()
            samples.append((time.perf_counter() - started) * 1000)
            if bool(found) != known:
                raise SystemExit(f"Keycloak search: {len(found)} users for a {'known' if known else 'unknown'} address")
        return samples

    # --- pages ----------------------------------------------------------------------------------

    def pending_ids(self, manager: str | None, with_organization: bool | None, count: int) -> list[int]:
        organizations = {row[0] for row in self.plan.organizations}
        with psycopg.connect(self.dsn) as connection:
            rows = connection.execute("SELECT id, customer_number, assigned_manager_email FROM access_request "
                                      "WHERE status = 'pending' ORDER BY id").fetchall()
        picked = [row[0] for row in rows if (manager is None or row[2] == manager) and
                  (with_organization is None or (row[1] in organizations) == with_organization)]
        return picked[:count]

    def pages(self, browser: Browser, paths: list[str], count: int) -> list[float]:
        return [timed_ms(lambda path=path: browser.get(path)) for _ in range(count) for path in paths]

    # --- approvals ------------------------------------------------------------------------------

    def approve(self, browser: Browser, request_id: int) -> dict:
        form = csrf(browser.get(f"/manage/requests/{request_id}").text)
        started = time.perf_counter()
        response = browser.post(f"/manage/requests/{request_id}/approve",
                                {"csrf_token": form, "note": "", "confirmed": "yes"})
        answered = time.perf_counter()
        if response.status_code != 302:
            raise SystemExit(f"approve {request_id}: {response.status_code}")
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            while True:
                row = connection.execute(
                    "SELECT o.status, o.created_at, o.claimed_at, o.last_error FROM outbox o "
                    "WHERE o.idempotency_key = %s", (f"request:{request_id}:provision",)).fetchone()
                if row and row[0] in ("sent", "failed"):
                    break
                if time.perf_counter() - started > 120:
                    raise SystemExit(f"request {request_id} not provisioned after 120 s: {row}")
                time.sleep(0.005)
        done = time.perf_counter()
        if row[0] != "sent":
            raise SystemExit(f"provisioning of request {request_id} failed: {row[3]}")
        total, post = (done - started) * 1000, (answered - started) * 1000
        wait = (row[2] - row[1]).total_seconds() * 1000  # from the approval's commit to the worker's claim
        return {"total_ms": total, "post_ms": post, "wait_ms": wait, "work_ms": total - post - wait}

    def provisioning_floor(self, count: int) -> list[float]:
        """ensure_user, then the organization, membership and role (provisioning.grant_access) for new people."""
        from bridge.core.models import Customer
        from bridge.delivery.provisioning import grant_access

        directory = generate.gateway(self.keycloak)
        samples = []
        for number in self.plan.organizations[:count]:
            customer = Customer(customer_number=number[0], company=number[1], region=number[4])
            email = f"floor.{secrets.token_hex(4)}@c{number[0]}.example"

            def provision():
                user_id = directory.ensure_user(email, "Floor", "Bench", "fr", {"customer_number": number[0]})
                grant_access(directory, customer, user_id)

            samples.append(timed_ms(provision))
        return samples

    # --- one round ------------------------------------------------------------------------------

    def round(self, number: int, measures: set[str], admin: Browser, manager: Browser, watch: Machine) -> dict:
        args, found = self.args, {"round": number}
        with watch.watch(found):
            if "email" in measures:
                found["email"] = self.email_checks(args.checks)
                found["email_floor"] = self.keycloak_floor(args.checks)
            if "queue" in measures:
                manager_pages = -(-len(self.pending_ids(MANAGERS[0], None, 10 ** 6)) // 50)
                admin_pages = -(-len(self.pending_ids(None, None, 10 ** 6)) // 50)
                found["queue_manager_first"] = self.pages(manager, ["/manage/"], args.pages)
                found["queue_manager_last"] = self.pages(manager, [f"/manage/?page={manager_pages}"], args.pages)
                found["queue_admin_first"] = self.pages(admin, ["/manage/"], args.pages)
                found["queue_admin_last"] = self.pages(admin, [f"/manage/?page={admin_pages}"], args.pages)
                found["page_floor"] = self.pages(manager, ["/manage/absences"], args.pages)
            if "detail" in measures:
                with_org = self.pending_ids(MANAGERS[0], True, args.pages)
                without = self.pending_ids(MANAGERS[0], False, args.pages)
                found["detail_with_organization"] = [timed_ms(lambda i=i: manager.get(f"/manage/requests/{i}"))
                                                     for i in with_org]
                found["detail_without_organization"] = [timed_ms(lambda i=i: manager.get(f"/manage/requests/{i}"))
                                                        for i in without]
                found["detail_admin"] = [timed_ms(lambda i=i: admin.get(f"/manage/requests/{i}")) for i in with_org]
            if "approve" in measures:
                ids = self.pending_ids(MANAGERS[1], None, args.approvals)
                found["approve"] = [self.approve(admin, request_id) for request_id in ids]
                found["provisioning_floor"] = self.provisioning_floor(args.approvals)
        say(f"round {number}: " + ", ".join(
            f"{name} p95 {summary(values if not isinstance(values[0], dict) else [v['total_ms'] for v in values])['p95']} ms"
            for name, values in found.items() if isinstance(values, list) and values))
        return found

    # --- the privacy round's listing of every partner -------------------------------------------

    def partner_pages(self, timeout: float = 120) -> dict:
        """What the worker's inactivity round reads every ten minutes (bridge/privacy/inactivity.py: every holder
        of b2b-partner, full representations, 100 a page, under BRIDGE_WORKER_KEYCLOAK_TIMEOUT, 10 s): the first
        and the last page, timed (None: no answer within `timeout` seconds)."""
        token = requests.post(f"http://127.0.0.1:{PORTS.keycloak}/realms/woundwo/protocol/openid-connect/token",
                              data={"grant_type": "client_credentials", "client_id": "b2b-bridge",
                                    "client_secret": self.env["BRIDGE_KEYCLOAK_CLIENT_SECRET"]}, timeout=30).json()
        found = {}
        for first in (0, PARTNERS - 100):
            try:
                found[first] = round(timed_ms(lambda first=first: requests.get(
                    f"http://127.0.0.1:{PORTS.keycloak}/admin/realms/woundwo/roles/b2b-partner/users",
                    params={"first": first, "max": 100, "briefRepresentation": "false"}, timeout=timeout,
                    headers={"Authorization": f"Bearer {token['access_token']}"}).raise_for_status()))
            except requests.RequestException as exc:
                found[first] = None
                say(f"b2b-partner members from {first}: {type(exc).__name__}")
        say(f"b2b-partner members, ms per page of 100 (first page, last page): {found}")
        return found

    # --- directory import -----------------------------------------------------------------------

    def imports(self, count: int) -> dict:
        work = STATE / "import"
        header = work / "header-only.csv"
        header.write_bytes((work / "customers.csv").read_bytes().split(b"\r\n", 1)[0] + b"\r\n")
        found: dict[str, list] = {"unchanged": [], "unchanged_full": [], "header_only": []}
        for _ in range(count):
            for kind, extra, path in (("unchanged", [], work / "customers.csv"),
                                      ("unchanged_full", ["--full"], work / "customers.csv"),
                                      ("header_only", [], header)):
                load = loadavg()
                seconds, rss, output = timed(flask_command("customers", "import", *extra, str(path)), self.env,
                                             work / f"{kind}.log")
                found[kind].append({"seconds": round(seconds, 2), "peak_rss_mib": round(rss), "output": output,
                                    "load_before": load})
                say(f"import {kind}: {seconds:.1f} s, {output}")
        return found

    # --- Keycloak's start -------------------------------------------------------------------------

    def starts(self, count: int) -> dict:
        found: dict[str, list] = {"keycloak": [], "keycloak_small": []}
        for _ in range(count):
            for database in found:
                load = loadavg()
                with generate.started(generate.keycloak(self.cluster, database)) as seconds:
                    found[database].append({"seconds": round(seconds, 1), "load_before": load})
                say(f"Keycloak start on {database}: {seconds:.0f} s (load {load})")
        return found


def run(cluster: RunningPostgres, note: dict, args) -> None:
    measures = {name.strip() for name in args.measures.split(",") if name.strip()}
    plan = Plan()
    results = {"machine": stack.machine(), "generated": note, "command": " ".join(["python -m bench.big_realm", *sys.argv[1:]]),
               "postgresql": cluster.execute("SHOW server_version")[0][0]}
    say(f"machine: {results['machine']}")
    env = {**generate.bridge_env(cluster), **RAISED_LIMITS,
           "BRIDGE_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{REDIS_PORT}/0"}
    bench = Bench(cluster, env, plan, args)
    online = measures - {"import", "start"}
    logs = STATE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if online:
        bench.keycloak = generate.keycloak(cluster)
        with generate.started(bench.keycloak) as seconds, running_redis(stack.check_port(REDIS_PORT)), \
                Server("big-realm-bridge", gunicorn_command("bridge:create_app()", PORTS.bridge, workers=3, threads=None),
                       env, f"http://127.0.0.1:{PORTS.bridge}/healthz") as bridge:
            results["keycloak_ready_s"] = round(seconds, 1)
            worker = processes.spawn(flask_command("worker"), {**env, **WORKER_SETTINGS}, logs / "worker.log",
                                     cwd=stack.REPO_ROOT)
            try:
                os.environ.update(env)
                from bridge import create_app
                from bridge.keycloak.access import ADMIN_ROLE, MANAGER_ROLE

                app = create_app()
                admin, manager = signed_in(app, ADMIN, [ADMIN_ROLE]), signed_in(app, MANAGERS[0], [MANAGER_ROLE])
                bench.warm_up()  # connections, JIT, Keycloak's caches of roles and the realm
                bench.keycloak_floor(20)
                admin.get("/manage/")
                watch = Machine([bridge.process.pid, worker.pid, bench.keycloak.process.pid])
                for number in range(1, args.rounds + 1):
                    results["rounds"] = results.get("rounds", []) + [bench.round(number, online, admin, manager, watch)]
                results["partner_pages_ms"] = bench.partner_pages()
            finally:
                processes.stop(worker)
    if "import" in measures:
        results["imports"] = bench.imports(args.imports)
    if "start" in measures:
        results["starts"] = bench.starts(args.starts)
    path = stack.save_results(args.results, results)
    print(report(results))
    say(f"results: {path}")


def report(results: dict) -> str:
    """The tables for docs/benchmarks.md §7."""
    rounds = results.get("rounds", [])
    lines = ["| measure | what | samples | p50 ms | p95 ms | p99 ms | max ms | p95 per round |",
             "|---|---|--:|--:|--:|--:|--:|---|"]
    names = [name for name in (rounds[0] if rounds else {}) if isinstance(rounds[0][name], list)]
    for name in names:
        values = [v["total_ms"] if isinstance(v, dict) else v for r in rounds for v in r[name]]
        per_round = [summary([v["total_ms"] if isinstance(v, dict) else v for v in r[name]])["p95"] for r in rounds]
        s = summary(values)
        lines.append(f"| {name} | | {s['n']} | {s['p50']} | {s['p95']} | {s['p99']} | {s['max']} | "
                     f"{', '.join(str(p) for p in per_round)} |")
    if any("approve" in r for r in rounds):
        parts = {part: summary([v[part] for r in rounds for v in r["approve"]]) for part in ("post_ms", "wait_ms", "work_ms")}
        lines.append("")
        lines.append("approval parts (p50 / p95 ms): " + "; ".join(f"{part} {s['p50']} / {s['p95']}" for part, s in parts.items()))
    lines.append("")
    lines.append("rounds: " + "; ".join(f"{r['round']}: load {r['load_before']} → {r['load_after']}, CPU others "
                                         f"{r['cpu_others_pct']} %" for r in rounds))
    for kind, runs in results.get("imports", {}).items():
        lines.append(f"import {kind}: " + ", ".join(f"{run['seconds']} s" for run in runs) +
                     f" — {runs[0]['output'][:140]}")
    for database, runs in results.get("starts", {}).items():
        lines.append(f"Keycloak start on {database}: " + ", ".join(f"{run['seconds']} s (load {run['load_before']})"
                                                                  for run in runs))
    return "\n".join(lines)
