"""Time to dispatch 1,000 due activation e-mails, against one-by-one sending in the same run (issue 6).

What runs, on ports of its own (never the test or dev-stack ports, nor the other benches'):

* its own Keycloak 26.7.3 (the project's runner, `kc.sh start-dev`, from an empty database, with theme
  and template caching on as in production: every execute-actions e-mail renders our e-mail theme) on
  28180 (management 29100), realm imported from realm-export.json, demo data seeded;
* its own mail catcher (python -m devstack.mailcatcher) on SMTP 21125 / HTTP 28125: the realm's SMTP
  server, so Keycloak delivers every activation e-mail there;
* for the PostgreSQL runs, a private PostgreSQL cluster (devstack/postgres_server.py);
* 1,000 provisioned partner accounts (user, b2b-partner role, member of customer 100001's
  organization; languages fr, de, en in turn), created once and reused by every run.

Each run gets a fresh bridge database (migrated with `flask --app bridge db upgrade`) holding 1,000
approved, provisioned requests whose activation is due (inserted as an approval plus provisioning
leave them, decided just before the run, so earlier runs' e-mails do not count as already sent):

* `baseline`: one by one, in one process: for each request, the gateway's send_set_password_email
  (Keycloak's execute-actions e-mail, one HTTP call), then activation_sent_at set and committed.
  Nothing else: no claim, no checks, no audit, no crash safety.
* `floor-2`: the same bare loop in two threads at once (each with its own gateway and half the rows):
  what Keycloak's e-mail alone allows with two callers — the floor for two workers.
* `sqlite-1`, `sqlite-2`, `postgresql-1`, `postgresql-2`: the product, `flask --app bridge worker`
  processes (1 or 2, started together, production settings) performing the outbox in run_due batches
  of 50: claim, then per row realm roles, has_password, the execute-actions e-mail, audit row,
  commit (the admin-events check only on rows tried before). Timed from the start of the
  processes (start-up included, as at 04:00) until every row is recorded as sent.

`--rounds N` repeats the chosen runs N times in the same order (interleaved), so a product run and
its baselines see the same machine; the table gives medians and ranges, ratios per round.

After each run it checks that every person got exactly one activation e-mail with the subject of
their language (from keycloak-theme/email/messages) and every request is recorded, then empties its
mail catcher. Also measured: the latency of each Keycloak call the product makes (100 samples,
before and after the runs: the admin-events query scans a growing table), and the CPU seconds used
by Keycloak, the mail catcher and the workers during each run.

Run from the repo root (10 to 15 minutes on 2 cores; JSON in .devstack/bench-activations/results.json):

    .venv/bin/python -m bench.activations
    .venv/bin/python -m bench.activations --count 200 --runs baseline,postgresql-2
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.core.db import make_engine
from bridge.keycloak.gateway import KeycloakGateway
from bridge.core.models import AccessRequest, utcnow
from devstack import processes
from devstack.keycloak import KEYCLOAK_VERSION, KeycloakInstance, find_jdk
from devstack.seed import seed_keycloak
from devstack.settings import REPO_ROOT, Ports, stack_env
from devstack.bulk_activations import (
    LANGUAGES, Mailbox, Person, create_people, flask_command, insert_due_activations, migrate, progress,
)
from devstack.postgres_server import running_postgres

PORTS = Ports(keycloak=28180, keycloak_management=29100, bridge=28100, portal=28101, smtp=21125, mail_http=28125)
STATE = REPO_ROOT / ".devstack" / "bench-activations"
RUNS = ("baseline", "floor-2", "sqlite-1", "sqlite-2", "postgresql-1", "postgresql-2")
THEME_MESSAGES = REPO_ROOT / "keycloak-theme" / "email" / "messages"
WARM_UP = 200  # execute-actions e-mails sent before the runs


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class CachingKeycloak(KeycloakInstance):
    """The project's runner with theme and template caching back on, as `kc.sh start` (production) has it."""

    def command(self) -> list[str]:
        return [*super().command(), "--spi-theme--cache-themes=true", "--spi-theme--cache-templates=true"]


def subjects() -> dict[str, str]:
    """The activation e-mail's subject per language, from our Keycloak e-mail theme."""
    found = {}
    for language in LANGUAGES:
        text = (THEME_MESSAGES / f"messages_{language}.properties").read_text(encoding="utf-8")
        found[language] = re.search(r"^executeActionsSubject=(.*)$", text, re.MULTILINE).group(1).strip()
    return found


# --- CPU of process groups (every server here runs in a process group of its own) -----------------


def group_cpu_seconds(pgid: int) -> float:
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) == pgid:  # pgrp
                total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> dict:
    mem_kb = int(next(line for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")).split()[1])
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    java_home, _ = find_jdk()
    release = (java_home / "release").read_text()
    jdk = re.search(r'^JAVA_RUNTIME_VERSION="([^"]+)"', release, re.MULTILINE)
    os_name = next((line.split("=", 1)[1].strip('"') for line in Path("/etc/os-release").read_text().splitlines()
                    if line.startswith("PRETTY_NAME=")), platform.platform())
    import psycopg
    import sqlalchemy

    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cpu": cpu, "cores": os.cpu_count(),
            "ram_gib": round(mem_kb / 1024 / 1024, 1), "os": os_name, "kernel": platform.release(),
            "python": platform.python_version(), "keycloak": KEYCLOAK_VERSION,
            "jdk": f"{java_home.name} ({jdk.group(1) if jdk else '?'})", "sqlalchemy": sqlalchemy.__version__,
            "psycopg": psycopg.__version__, "sqlite": sqlite3.sqlite_version}


# --- the measurements -------------------------------------------------------------------------------


def call_latencies(gateway: KeycloakGateway, people: list[Person], samples: int = 100) -> dict[str, float]:
    """Median milliseconds of each read call the product makes per activation (no e-mail is sent)."""
    since = int(utcnow().timestamp() * 1000)
    calls = {
        "realm_roles": lambda p: gateway.realm_roles(p.user_id),
        "admin_events_check": lambda p: gateway.set_password_email_sent_since(p.user_id, since),
        "has_password": lambda p: gateway.has_password(p.user_id),
    }
    result = {}
    for name, call in calls.items():
        timings = []
        for person in people[:samples]:
            started = time.perf_counter()
            call(person)
            timings.append((time.perf_counter() - started) * 1000)
        result[name] = round(statistics.median(timings), 1)
    return result


def baseline(database_url: str, gateways: list[KeycloakGateway], env: dict[str, str]) -> dict:
    """Bare loops, one per gateway in a thread of its own: Keycloak's execute-actions e-mail, then record and
    commit, per request. One gateway is the one-by-one baseline; two are the floor for two workers."""
    engine = make_engine(database_url)
    sends: list[float] = []
    lifespan, portal = 7 * 86400, env["BRIDGE_PORTAL_URL"]

    def loop(gateway: KeycloakGateway, ids: list[int]) -> None:
        with Session(engine) as session:
            for request in session.scalars(select(AccessRequest).where(AccessRequest.id.in_(ids))):
                before = time.perf_counter()
                gateway.send_set_password_email(request.keycloak_user_id, lifespan, "b2b-portal", portal)
                sends.append((time.perf_counter() - before) * 1000)
                request.activation_sent_at = utcnow()
                session.commit()

    try:
        with Session(engine) as session:
            ids = session.scalars(select(AccessRequest.id).order_by(AccessRequest.id)).all()
        shares = [ids[index::len(gateways)] for index in range(len(gateways))]
        started, cpu = time.perf_counter(), time.process_time()
        with ThreadPoolExecutor(len(gateways)) as pool:
            for done in [pool.submit(loop, gateway, share) for gateway, share in zip(gateways, shares)]:
                done.result()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        engine.dispose()
    return {"seconds": seconds, "worker_cpu_s": round(cpu, 1), "send_ms_median": round(statistics.median(sends), 1),
            "send_ms_p95": round(statistics.quantiles(sends, n=20)[-1], 1)}


def workers(database_url: str, env: dict[str, str], count: int, total: int, logs: Path) -> dict:
    """`flask --app bridge worker` × count, from their start until every row is recorded as sent."""
    run_env = {**env, "BRIDGE_DATABASE_URL": database_url}
    started = time.perf_counter()
    spawned = [processes.spawn(flask_command("worker"), run_env, logs / f"worker-{index}.log", cwd=REPO_ROOT)
               for index in range(1, count + 1)]
    try:
        while progress(database_url).outbox != {"sent": total}:
            for process in spawned:
                if process.poll() is not None:
                    raise SystemExit(f"a worker exited with {process.returncode}; see {logs}")
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        cpu = sum(group_cpu_seconds(process.pid) for process in spawned)
    finally:
        for process in spawned:
            processes.stop(process)
    texts = [(logs / f"worker-{index}.log").read_text() for index in range(1, count + 1)]
    performed = [len(re.findall(r"outbox item \d+ \(activation\): sent", text)) for text in texts]
    # A Keycloak call slower than BRIDGE_KEYCLOAK_TIMEOUT puts the row back with backoff (retried later).
    retried = sum(len(re.findall(r"outbox item \d+ \(activation\): pending", text)) for text in texts)
    return {"seconds": seconds, "worker_cpu_s": round(cpu, 1), "rows_per_worker": performed, "retried": retried}


def fresh_database(kind: str, name: str, postgres, env: dict[str, str]) -> str:
    if kind == "sqlite":
        path = STATE / "db" / f"{name}.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob(f"{name}.sqlite*"):
            leftover.unlink()
        url = f"sqlite:///{path}"
    else:
        url = postgres.create_database(name.replace("-", "_"))
    migrate({**env, "BRIDGE_DATABASE_URL": url}, STATE / "logs" / f"{name}-migrate.log")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="due activations per run (default 1000)")
    parser.add_argument("--runs", default=",".join(RUNS), help=f"comma-separated, from {', '.join(RUNS)}")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the runs this many times, interleaved")
    args = parser.parse_args()
    runs = [run.strip() for run in args.runs.split(",") if run.strip()]
    unknown = set(runs) - set(RUNS)
    if unknown:
        parser.error(f"unknown runs: {', '.join(sorted(unknown))}")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    env = stack_env(PORTS, STATE)
    shutil.rmtree(STATE / "mail", ignore_errors=True)
    shutil.rmtree(STATE / "logs", ignore_errors=True)
    (STATE / "logs").mkdir(parents=True)
    results = {"machine": machine(), "count": args.count, "command": " ".join(["python -m bench.activations", *sys.argv[1:]]),
               "runs": {}}
    say(f"machine: {results['machine']}")

    catcher = processes.spawn([sys.executable, "-m", "devstack.mailcatcher", "--smtp-port", str(PORTS.smtp),
                               "--http-port", str(PORTS.mail_http), "--store", str(STATE / "mail")],
                              {}, STATE / "logs" / "mailcatcher.log", cwd=REPO_ROOT)
    keycloak = CachingKeycloak(STATE / "keycloak", PORTS.keycloak, PORTS.keycloak_management, env)
    postgres = None
    cleanup = contextlib.ExitStack()
    try:
        processes.wait_http(f"http://127.0.0.1:{PORTS.mail_http}/api/v1/messages", 30, catcher)
        mailbox = Mailbox(f"http://127.0.0.1:{PORTS.mail_http}", subjects())
        keycloak.prepare(fresh=True)
        keycloak.start()
        say(f"Keycloak ready after {keycloak.wait_ready(600):.0f} s")  # a first start on a busy machine takes minutes

        def gateway() -> KeycloakGateway:
            return KeycloakGateway(keycloak.url, "woundwo", "b2b-bridge", env["BRIDGE_KEYCLOAK_CLIENT_SECRET"], 30)

        seed_keycloak(gateway())
        if any(run.startswith("postgresql") for run in runs):
            postgres = cleanup.enter_context(running_postgres())
            results["machine"]["postgresql"] = postgres.execute("SHOW server_version")[0][0]

        started = time.perf_counter()
        people = create_people(gateway, [f"activation.{index:04d}@bench.example" for index in range(args.count)])
        results["create_accounts_s"] = round(time.perf_counter() - started, 1)
        say(f"{args.count} accounts created in {results['create_accounts_s']} s")

        main_gateway = gateway()
        # Warm-up, so the first run does not pay for it: Keycloak's e-mail path (JIT, template cache,
        # SMTP), then the read calls.
        for person in people[:WARM_UP]:
            main_gateway.send_set_password_email(person.user_id, 3600, "b2b-portal", env["BRIDGE_PORTAL_URL"])
        requests.delete(f"{mailbox.api_url}/api/v1/messages", timeout=30).raise_for_status()
        call_latencies(main_gateway, people, 30)
        results["call_ms_before"] = call_latencies(main_gateway, people)
        say(f"Keycloak read calls (median ms) before the runs: {results['call_ms_before']}")

        for round_number, run in [(number, run) for number in range(1, args.rounds + 1) for run in runs]:
            kind = "sqlite" if run in ("baseline", "floor-2") else run.rsplit("-", 1)[0]
            url = fresh_database(kind, run, postgres, env)
            insert_due_activations(url, people, utcnow())
            keycloak_cpu, catcher_cpu, load_before = group_cpu_seconds(keycloak.process.pid), \
                group_cpu_seconds(catcher.pid), loadavg()
            say(f"{run}: {args.count} due activations (load {load_before})")
            if run == "baseline":
                outcome = baseline(url, [main_gateway], env)
            elif run == "floor-2":
                outcome = baseline(url, [main_gateway, gateway()], env)
            else:
                outcome = workers(url, env, int(run.rsplit("-", 1)[1]), args.count,
                                  STATE / "logs" / f"{run}-round-{round_number}")
            outcome.update({
                "per_second": round(args.count / outcome["seconds"], 1),
                "keycloak_cpu_s": round(group_cpu_seconds(keycloak.process.pid) - keycloak_cpu, 1),
                "mailcatcher_cpu_s": round(group_cpu_seconds(catcher.pid) - catcher_cpu, 1),
                "load_before": load_before, "load_after": loadavg(),
            })
            outcome["seconds"] = round(outcome["seconds"], 1)
            problems = mailbox.problems(people)
            state = progress(url)
            if problems or state.sent != args.count:
                raise SystemExit(f"{run}: {len(problems)} people without exactly one e-mail "
                                 f"(first: {problems[:3]}), {state.sent} recorded")
            requests.delete(f"{mailbox.api_url}/api/v1/messages", timeout=60).raise_for_status()
            results["runs"].setdefault(run, []).append(outcome)
            say(f"{run}: {outcome}")

        results["call_ms_after"] = call_latencies(main_gateway, people)
        say(f"Keycloak read calls (median ms) after the runs: {results['call_ms_after']}")
    finally:
        cleanup.close()
        keycloak.stop()
        processes.stop(catcher)
    out = STATE / "results.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(table(results))
    say(f"results: {out}")


def table(results: dict) -> str:
    """Medians (min–max) over the rounds; each ratio is taken within its round, then the median of those."""
    runs, count = results["runs"], results["count"]

    def spread(values: list[float], unit: str = "") -> str:
        text = f"{statistics.median(values):.1f}{unit}"
        return text if len(values) == 1 else f"{text} ({min(values):.1f}–{max(values):.1f})"

    def ratios(name: str, reference: str) -> str:
        pairs = list(zip(runs.get(reference, []), runs[name]))
        return spread([ref["seconds"] / run["seconds"] for ref, run in pairs], "×") if pairs else "-"

    lines = ["| run | rounds | seconds | activations/s | speed vs baseline | speed vs floor-2 | CPU ms per activation: "
             "Keycloak / workers / mail catcher | rows per worker |", "|---|--:|---:|---:|---:|---:|---|---|"]
    for name, outcomes in runs.items():
        cpu = [statistics.median(run[key] for run in outcomes) if outcomes[0].get(key) is not None else None
               for key in ("keycloak_cpu_s", "worker_cpu_s", "mailcatcher_cpu_s")]
        cpu_text = " / ".join("-" if value is None else f"{value * 1000 / count:.0f}" for value in cpu)
        lines.append(f"| {name} | {len(outcomes)} | {spread([run['seconds'] for run in outcomes])} | "
                     f"{spread([run['per_second'] for run in outcomes])} | {ratios(name, 'baseline')} | "
                     f"{ratios(name, 'floor-2')} | {cpu_text} | "
                     f"{' '.join(str(run.get('rows_per_worker', '-')) for run in outcomes)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
