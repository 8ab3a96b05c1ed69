"""Throughput and latency of the live e-mail check, POST /api/v1/email-status, with a warm cache,
against uncached baselines measured in the same run (issue 3).

What runs (everything on 127.0.0.1, nothing on the test or dev-stack ports):

* the bench Keycloak on 28080 (reused if `python -m bench.stack` keeps one up, else started from an
  empty database and stopped at the end), seeded with the demo accounts plus 21 more partners; its
  own database is its dev-file H2 database, or with --keycloak-db postgres a private PostgreSQL
  cluster over TCP as in production (devstack/postgres_server.py);
* the bridge under gunicorn as in production, `--workers 3 'bridge:create_app()'` (sync workers), on
  28000, with the bench stack's environment, a fresh SQLite file under .devstack/bench, its rate-limit
  counters in Redis as `docker-compose.yml` keeps them (Debian's redis-server on 26379, started and
  stopped by the benchmark), and the rate limits raised out of the way (BRIDGE_EMAIL_CHECK_LIMIT_PER_IP / _GLOBAL); cache TTLs are the
  production defaults (known 120 s, unknown 20 s);
* a fixed set of 50 addresses (25 known, 25 unknown, a few in mixed case), pre-warmed in every
  gunicorn worker (each has its own in-process cache) with requests on fresh connections; from the
  ninth run on, the measurement then waits until Keycloak, which shares the machine's two cores,
  is idle again after the pre-warm's lookups (a burst that steady use spreads out);
* the load generator `wrk` (Debian package; script bench/email_status.lua), closed loop with N
  kept-alive connections = N concurrent clients, at 1, 10 and 50 clients: a warm-up (discarded),
  then a fixed-duration measurement. Latency percentiles are wrk's (per request, microseconds).
  "Warm" is the production steady state: answers stay cached for their TTL (unknown ones 20 s),
  so an expired unknown address costs one Keycloak lookup per worker now and then, as in production.

Every server runs for the whole benchmark (idle ones cost nothing), and the measurements are
interleaved: for each level, each repetition (default 3) measures every target once, in a rotated
order, so a baseline and the product see the same conditions on a machine shared with other jobs.
Before each measurement it waits (up to --quiet-wait s) until other processes use less than
--quiet-below % CPU. Reported: medians over the repetitions; ratios are medians of paired
ratios (product / baseline in the same repetition).

Baselines in the same run, same addresses, same wrk settings:

* `naive`: bench/naive_email_status.py under gunicorn with 2 workers x 8 threads, its fastest setup
  (sync workers would block on every Keycloak call), so the ratio is conservative: one Keycloak admin user
  search per check (`GET /admin/realms/woundwo/users?email=..&exact=true`, service-account token,
  kept-alive connection) and nothing else. The targets are judged against this one.
* `keycloak-direct`: wrk sends that same search straight to Keycloak: the ceiling of any uncached design.
* `bridge-nocache`: the real bridge with both cache TTLs set to 0, i.e. what the product's check
  costs without its cache (user search + realm-role lookup for found users).

Diagnostics in the same run (they explain the numbers; no target applies to them):

* `bridge-memory`: the `bridge` setup with its counters in each process (`memory://`, the default).
* `bridge-threads`: the bridge under the earlier production command, `--workers 2 --threads 8`, warm
  cache.
* `bridge-close`: the `bridge` setup, but a new connection per request (`Connection: close`), as
  behind a reverse proxy that does not keep upstream connections alive (nginx's default).
* `bridge-quiet`: the `bridge` setup with BRIDGE_LOG_LEVEL=WARNING (no log line per check).
* `bridge-nolimit`: the `bridge` setup with BRIDGE_RATELIMIT_ENABLED=false (Flask-Limiter off).
* `flask-floor`: a Flask view that parses the body and answers a constant under the bridge's gunicorn
  command (bench.naive_email_status:create_floor_app): the most any Flask view can do on this machine.
* `bridge-4x2` (only when asked for with --targets): the bridge with `--workers 4 --threads 2`.
* `flask-floor-granian`, `bridge-granian`, `bridge-granian-memory`, `naive-granian` (only when asked for
  with --targets; need `pip install -e '.[bench]'`): the floor app, the bridge with its counters in Redis
  or in memory, and the naive baseline under granian (a Rust HTTP server, WSGI interface, 2 workers,
  kept-alive connections) instead of gunicorn: how much of the ceiling is the Python HTTP server.

CPU columns: percent of one core used during the measured seconds by the server's processes, by
Keycloak, by wrk, and by everything else on the machine (other people's jobs; 200 % = both cores).

Targets (issue 3): warm-cache throughput >= 10x the naive baseline's, and p99 <= 20 ms at 10 clients.
Restated by issue 19: at 10 clients >= 0.6x the throughput of `flask-floor` (same server, same run), p99 <= 10 ms.

Run from the repo root (about 20 minutes, plus Keycloak's start when none is running):

    .venv/bin/python -m bench.email_status
    .venv/bin/python -m bench.email_status --duration 10 --warmup 2 --levels 1,10,50 --repetitions 3
    .venv/bin/python -m bench.email_status --targets bridge,naive --repetitions 1     # a quick subset

Prints Markdown tables; the raw numbers go to .devstack/bench/results/email_status.json.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import requests

from bench import stack
from bench.stack import BENCH_STATE, KEYCLOAK_DIRECT, REALM, Server, say
from devstack import processes
from devstack.redis_server import running_redis
from devstack.seed import DEMO_ACCOUNTS
from devstack.settings import REPO_ROOT
from devstack.postgres_server import running_postgres

LUA = Path(__file__).resolve().parent / "email_status.lua"
ADDRESSES = BENCH_STATE / "email-addresses.txt"
API = "/api/v1/email-status"
RAISED_LIMITS = {
    "BRIDGE_EMAIL_CHECK_LIMIT_PER_IP": "100000000 per minute",
    "BRIDGE_EMAIL_CHECK_LIMIT_GLOBAL": "100000000 per second",
}
EXTRA_PARTNERS = 21
P99_TARGET_MS = 20.0    # issue 3
SPEEDUP_TARGET = 10.0   # issue 3, against naive; restated by issue 19:
FLOOR_SHARE_TARGET = 0.6  # ... at least this share of the flask-floor view's throughput, same server and run
P99_TARGET_MS_19 = 10.0   # ... and p99 at 10 clients at most this
BRIDGE_APP = "bridge:create_app()"
REDIS_PORT = 26379
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"


@dataclass(frozen=True)
class Target:
    name: str
    role: str                 # product, baseline or diagnostic
    server: str | None        # key of the server it loads (None: Keycloak itself)
    mode: str = "post"        # wrk script mode: post, post-close or search
    warm: bool = True         # pre-warm the bridge's cache before measuring
    check: bool = True        # verify every answer before measuring


@dataclass(frozen=True)
class ServerSpec:
    port: int
    app: str
    threads: int | None = None  # None: sync workers, as the bridge's production command
    workers: int = 3
    settings: tuple = ()
    bridge: bool = True       # gets the bridge's environment
    granian: bool = False     # served by granian (2 workers, kept-alive connections) instead of gunicorn

    def command(self) -> list[str]:
        if self.granian:
            return stack.granian_command(self.app, self.port, workers=self.workers)
        return stack.gunicorn_command(self.app, self.port, workers=self.workers, threads=self.threads)


SERVERS = {
    "bridge": ServerSpec(28000, BRIDGE_APP),
    "naive": ServerSpec(28002, "bench.naive_email_status:create_app()", threads=8, workers=2, bridge=False),
    "bridge-nocache": ServerSpec(28003, BRIDGE_APP, settings=(("BRIDGE_EMAIL_STATUS_TTL_KNOWN", "0"),
                                                              ("BRIDGE_EMAIL_STATUS_TTL_UNKNOWN", "0"))),
    "bridge-threads": ServerSpec(28004, BRIDGE_APP, threads=8, workers=2),
    "bridge-quiet": ServerSpec(28005, BRIDGE_APP, settings=(("BRIDGE_LOG_LEVEL", "WARNING"),)),
    "bridge-nolimit": ServerSpec(28006, BRIDGE_APP, settings=(("BRIDGE_RATELIMIT_ENABLED", "false"),)),
    "flask-floor": ServerSpec(28007, "bench.naive_email_status:create_floor_app()", bridge=False),
    "bridge-4x2": ServerSpec(28008, BRIDGE_APP, threads=2, workers=4),
    "bridge-memory": ServerSpec(28009, BRIDGE_APP, settings=(("BRIDGE_RATELIMIT_STORAGE_URI", "memory://"),)),
    "bridge-granian": ServerSpec(28010, BRIDGE_APP, workers=2, granian=True),
    "bridge-granian-memory": ServerSpec(28011, BRIDGE_APP, workers=2, granian=True,
                                        settings=(("BRIDGE_RATELIMIT_STORAGE_URI", "memory://"),)),
    "flask-floor-granian": ServerSpec(28012, "bench.naive_email_status:create_floor_app()", workers=2, granian=True,
                                      bridge=False),
    "naive-granian": ServerSpec(28013, "bench.naive_email_status:create_app()", workers=2, granian=True,
                                bridge=False),
}
TARGETS = {t.name: t for t in (
    Target("bridge", "product", "bridge"),
    Target("naive", "baseline", "naive", warm=False),
    Target("keycloak-direct", "baseline", None, mode="search", warm=False),
    Target("bridge-nocache", "baseline", "bridge-nocache", warm=False),
    Target("bridge-threads", "diagnostic", "bridge-threads"),
    Target("bridge-close", "diagnostic", "bridge", mode="post-close"),
    Target("bridge-quiet", "diagnostic", "bridge-quiet"),
    Target("bridge-nolimit", "diagnostic", "bridge-nolimit"),
    Target("flask-floor", "diagnostic", "flask-floor", warm=False, check=False),
    Target("bridge-4x2", "diagnostic", "bridge-4x2"),
    Target("bridge-memory", "diagnostic", "bridge-memory"),
    Target("bridge-granian", "diagnostic", "bridge-granian"),
    Target("bridge-granian-memory", "diagnostic", "bridge-granian-memory"),
    Target("flask-floor-granian", "diagnostic", "flask-floor-granian", warm=False, check=False),
    Target("naive-granian", "baseline", "naive-granian", warm=False),
)}
DEFAULT_TARGETS = ("bridge", "naive", "keycloak-direct", "bridge-nocache", "bridge-memory", "bridge-threads",
                   "bridge-close", "bridge-quiet", "bridge-nolimit", "flask-floor")


@dataclass
class Level:
    target: str
    clients: int
    repetition: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    server_cpu_pct: float
    worker_cpu_pct: list
    keycloak_cpu_pct: float
    wrk_cpu_pct: float
    other_cpu_pct: float
    other_cpu_before_pct: float
    loadavg_before: str
    detail: dict = field(default_factory=dict)


def addresses() -> list[tuple[str, str]]:
    """(address as typed, expected status): 25 known, 25 unknown, interleaved; a few in mixed case."""
    known = [account.email for account in DEMO_ACCOUNTS]
    known += [f"bench.partner{i:02d}@pharmacie-bench.example" for i in range(1, EXTRA_PARTNERS + 1)]
    unknown = [f"nobody{i:02d}@unknown-bench.example" for i in range(1, 26)]
    known[0] = known[0].title()  # Partner@Pharmacie-Centrale.Example: the check is case-insensitive
    unknown[0] = unknown[0].upper()
    pairs = []
    for k, u in zip(known, unknown):
        pairs += [(k, "known"), (u, "unknown")]
    return pairs


def seed_partners() -> None:
    """21 more enabled b2b-partner users, so half of the 50 addresses are known (idempotent)."""
    gateway = stack.gateway()
    for i in range(1, EXTRA_PARTNERS + 1):
        user_id = gateway.ensure_user(f"bench.partner{i:02d}@pharmacie-bench.example", "Bench", f"Partner {i}",
                                      "fr", {"customer_number": "100001"}, email_verified=True)
        gateway.grant_realm_role(user_id, "b2b-partner")


@contextlib.contextmanager
def keycloak_database(kind: str, env_info: dict) -> Iterator[dict[str, str]]:
    """Keycloak's own database: {} for its dev-file (H2) database, or a private PostgreSQL cluster's settings."""
    if kind == "dev-file":
        env_info["keycloak_db"] = "dev-file (H2)"
        yield {}
        return
    with running_postgres() as cluster:
        name = cluster.create_database("keycloak").rsplit("/", 1)[1]
        env_info["keycloak_db"] = f"PostgreSQL {cluster.version} on 127.0.0.1 (TCP)"
        yield {"KC_DB": "postgres", "KC_DB_URL": f"jdbc:postgresql://127.0.0.1:{cluster.port}/{name}",
               "KC_DB_USERNAME": "postgres"}


def bridge_env(settings: tuple = ()) -> dict[str, str]:
    env = stack.bench_env()
    env.update(RAISED_LIMITS)
    env["BRIDGE_DATABASE_URL"] = f"sqlite:///{BENCH_STATE / 'bridge.sqlite'}"
    env["BRIDGE_RATELIMIT_STORAGE_URI"] = REDIS_URL
    env.update(dict(settings))
    return env


def naive_env() -> dict[str, str]:
    return {"NAIVE_KEYCLOAK_URL": stack.KEYCLOAK_URL,
            "NAIVE_CLIENT_SECRET": stack.bench_env()["BRIDGE_KEYCLOAK_CLIENT_SECRET"]}


def migrate_bridge_db() -> None:
    for leftover in BENCH_STATE.glob("bridge.sqlite*"):
        leftover.unlink()
    log = BENCH_STATE / "bridge-migrate.log"
    command = [sys.executable, "-m", "flask", "--app", "bridge", "db", "upgrade"]
    if processes.spawn(command, bridge_env(), log, cwd=REPO_ROOT).wait(120) != 0:
        raise SystemExit(f"migration failed; see {log}")


def url_of(target: Target) -> str:
    if target.server is None:
        return f"{KEYCLOAK_DIRECT}/admin/realms/{REALM}/users"
    return f"http://127.0.0.1:{SERVERS[target.server].port}{API}"


def post_status(url: str, email: str, fresh_connection: bool = False) -> tuple[int, str]:
    headers = {"Connection": "close"} if fresh_connection else {}
    response = requests.post(url, json={"email": email}, headers=headers, timeout=10)
    return response.status_code, response.json().get("status", "")


def preflight(target: Target, pairs: list[tuple[str, str]]) -> None:
    """Every address gets the expected answer before anything is timed."""
    url, wrong = url_of(target), []
    token = stack.service_account_token() if target.mode == "search" else ""
    for email, expected in pairs:
        if target.mode == "search":
            response = requests.get(url, params={"email": email.lower(), "exact": "true"}, timeout=10,
                                    headers={"Authorization": f"Bearer {token}"})
            got = "known" if response.status_code == 200 and response.json() else "unknown"
        else:
            _, got = post_status(url, email)
        if got != expected:
            wrong.append((email, expected, got))
    if wrong:
        raise SystemExit(f"pre-flight of {target.name} failed at {url}: {wrong}")


def prewarm(url: str, pairs: list[tuple[str, str]], rounds: int) -> None:
    """Ask every address `rounds` times on fresh connections, so the gunicorn workers cache it (wrk's warm-up,
    thousands of checks, reaches any worker a round missed)."""
    jobs = [email for _ in range(rounds) for email, _ in pairs]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda email: post_status(url, email, fresh_connection=True)[0], jobs))
    if any(code != 200 for code in statuses):
        raise SystemExit(f"pre-warm got non-200 answers: {sorted(set(statuses))}")


def wrk_args(target: Target) -> list[str]:
    if target.mode == "search":
        return [str(ADDRESSES), "search", stack.service_account_token()]
    return [str(ADDRESSES), target.mode, stack.KEYCLOAK_URL]


def run_wrk(url: str, clients: int, seconds: float, args: list[str]) -> dict:
    command = ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "10s",
               "-s", str(LUA), url, "--", *args]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise RuntimeError(f"wrk printed no result: {out.stdout}\n{out.stderr}")


def others_cpu_pct(ours: list[int], seconds: float = 1.0) -> float:
    """CPU % (of one core) used by processes other than ours during the next `seconds`."""
    machine, mine = stack.machine_cpu_seconds(), stack.cpu_seconds(ours)
    time.sleep(seconds)
    return 100 * max(0.0, (stack.machine_cpu_seconds() - machine) - (stack.cpu_seconds(ours) - mine)) / seconds


def cpu_pct(pids: list[int], seconds: float = 1.0) -> float:
    """CPU % (of one core) used by `pids` during the next `seconds`."""
    before = stack.cpu_seconds(pids)
    time.sleep(seconds)
    return 100 * (stack.cpu_seconds(pids) - before) / seconds


def wait_below(sample: Callable[[], float], below: float, patience: float) -> float:
    """Take `sample()` (a CPU % over one second) until it is at most `below`, for at most `patience` seconds;
    return the last value."""
    deadline = time.monotonic() + patience
    while True:
        value = sample()
        if value <= below or time.monotonic() >= deadline:
            return value


def measure(target: Target, clients: int, repetition: int, args, servers: dict[str, Server], pairs) -> Level:
    url = url_of(target)
    server_pids = servers[target.server].pids() if target.server else []
    keycloak = stack.keycloak_pids()
    ours = [pid for server in servers.values() for pid in server.pids()] + keycloak
    quiet = wait_below(lambda: others_cpu_pct(ours), args.quiet_below, args.quiet_wait)
    if target.warm:
        prewarm(url, pairs, rounds=6)
        # After the pre-warm's lookups Keycloak's JVM keeps compiling and collecting for a few seconds, on the
        # cores the bridge is measured on (in production Keycloak has its own machine). From the ninth run on.
        wait_below(lambda: cpu_pct(keycloak), below=3, patience=30)
    if args.warmup > 0:
        run_wrk(url, clients, args.warmup, wrk_args(target))
    arguments = wrk_args(target)
    load = stack.loadavg()
    server_before, keycloak_before = stack.cpu_seconds(server_pids), stack.cpu_seconds(keycloak)
    workers_before = [stack.cpu_seconds([pid]) for pid in server_pids[1:]]
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine_before = stack.machine_cpu_seconds()
    started = time.perf_counter()
    result = run_wrk(url, clients, args.duration, arguments)
    wall = time.perf_counter() - started
    machine_cpu = stack.machine_cpu_seconds() - machine_before
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = stack.cpu_seconds(server_pids) - server_before
    workers_cpu = [stack.cpu_seconds([pid]) - before for pid, before in zip(server_pids[1:], workers_before)]
    keycloak_cpu = stack.cpu_seconds(keycloak) - keycloak_before
    wrk_cpu = (wrk_after.ru_utime + wrk_after.ru_stime) - (wrk_before.ru_utime + wrk_before.ru_stime)
    other_cpu = max(0.0, machine_cpu - server_cpu - keycloak_cpu - wrk_cpu)
    seconds = result["duration_us"] / 1e6
    errors = sum(result[key] for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    level = Level(
        target=target.name, clients=clients, repetition=repetition, requests=result["requests"],
        seconds=round(seconds, 2), rps=round(result["requests"] / seconds, 1),
        p50_ms=result["p50_us"] / 1000, p90_ms=result["p90_us"] / 1000, p95_ms=result["p95_us"] / 1000,
        p99_ms=result["p99_us"] / 1000, max_ms=result["max_us"] / 1000, errors=errors,
        server_cpu_pct=round(100 * server_cpu / wall), worker_cpu_pct=[round(100 * cpu / wall) for cpu in workers_cpu],
        keycloak_cpu_pct=round(100 * keycloak_cpu / wall), wrk_cpu_pct=round(100 * wrk_cpu / wall),
        other_cpu_pct=round(100 * other_cpu / wall), other_cpu_before_pct=round(quiet), loadavg_before=load,
        detail=result,
    )
    say(f"#{repetition} {target.name:15} {clients:3} clients: {level.rps:8.1f} req/s  p50 {level.p50_ms:7.2f}  "
        f"p95 {level.p95_ms:7.2f}  p99 {level.p99_ms:7.2f} ms  errors {errors}  cpu server {level.server_cpu_pct}% "
        f"{level.worker_cpu_pct} keycloak {level.keycloak_cpu_pct}% wrk {level.wrk_cpu_pct}% "
        f"others {level.other_cpu_pct}% (before {level.other_cpu_before_pct}%)")
    return level


def aggregate(levels: list[Level]) -> dict[tuple[str, int], dict]:
    grouped: dict[tuple[str, int], list[Level]] = {}
    for level in levels:
        grouped.setdefault((level.target, level.clients), []).append(level)
    med = statistics.median
    return {key: {
        "n": len(items), "rps": med(i.rps for i in items), "rps_min": min(i.rps for i in items),
        "rps_max": max(i.rps for i in items), "p50": med(i.p50_ms for i in items), "p95": med(i.p95_ms for i in items),
        "p99": med(i.p99_ms for i in items), "p99_min": min(i.p99_ms for i in items),
        "p99_max": max(i.p99_ms for i in items), "errors": sum(i.errors for i in items),
        "server": med(i.server_cpu_pct for i in items), "keycloak": med(i.keycloak_cpu_pct for i in items),
        "wrk": med(i.wrk_cpu_pct for i in items), "others": med(i.other_cpu_pct for i in items),
        "workers": [med(i.worker_cpu_pct[w] for i in items) for w in range(len(items[0].worker_cpu_pct))],
    } for key, items in grouped.items()}


def paired_ratio(levels: list[Level], product: str, baseline: str, clients: int) -> tuple[float, float, float] | None:
    by = {(l.target, l.clients, l.repetition): l for l in levels}
    ratios = [by[(product, clients, r)].rps / by[(baseline, clients, r)].rps
              for (t, c, r) in by if t == product and c == clients and (baseline, clients, r) in by]
    return (statistics.median(ratios), min(ratios), max(ratios)) if ratios else None


def table(levels: list[Level]) -> str:
    lines = ["| target | role | clients | requests/s, median (min–max) | p50 ms | p95 ms | p99 ms, median (min–max) | "
             "errors | CPU % server (workers) | CPU % Keycloak | Keycloak CPU ms per check | CPU % wrk | CPU % others |",
             "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for (name, clients), m in aggregate(levels).items():
        target = TARGETS[name]
        server = "–" if target.server is None else f"{m['server']:.0f} ({' + '.join(f'{w:.0f}' for w in m['workers'])})"
        lines.append(
            f"| {name} | {target.role} | {clients} | {m['rps']:,.0f} ({m['rps_min']:,.0f}–{m['rps_max']:,.0f}) | "
            f"{m['p50']:.2f} | {m['p95']:.2f} | {m['p99']:.2f} ({m['p99_min']:.1f}–{m['p99_max']:.1f}) | {m['errors']} | "
            f"{server} | {m['keycloak']:.0f} | {10 * m['keycloak'] / m['rps']:.3f} | {m['wrk']:.0f} | {m['others']:.0f} |")
    return "\n".join(lines)


def verdict(levels: list[Level]) -> list[str]:
    agg = aggregate(levels)
    out = []
    for clients in sorted({level.clients for level in levels}):
        ratio = paired_ratio(levels, "bridge", "naive", clients)
        if ratio:
            others = "; ".join(f"vs {b}: {r[0]:.1f}x" for b in ("keycloak-direct", "bridge-nocache")
                               if (r := paired_ratio(levels, "bridge", b, clients)))
            out.append(f"- {clients} clients: bridge {agg[('bridge', clients)]['rps']:,.0f} req/s vs naive "
                       f"{agg[('naive', clients)]['rps']:,.0f} req/s: **{ratio[0]:.1f}x** (paired, "
                       f"{ratio[1]:.1f}–{ratio[2]:.1f}x){'; ' + others if others else ''} — target >= "
                       f"{SPEEDUP_TARGET:g}x: {'met' if ratio[0] >= SPEEDUP_TARGET else 'MISSED'}")
    if ("bridge", 10) in agg:
        m = agg[("bridge", 10)]
        out.append(f"- bridge p99 at 10 clients: {m['p99']:.1f} ms (median of {m['n']}; {m['p99_min']:.1f}–"
                   f"{m['p99_max']:.1f}) — target <= {P99_TARGET_MS:g} ms (issue 3): "
                   f"{'met' if m['p99'] <= P99_TARGET_MS else 'MISSED'}; <= {P99_TARGET_MS_19:g} ms (issue 19): "
                   f"{'met' if m['p99'] <= P99_TARGET_MS_19 else 'MISSED'}")
    if share := paired_ratio(levels, "bridge", "flask-floor", 10):
        out.append(f"- 10 clients: bridge {agg[('bridge', 10)]['rps']:,.0f} req/s vs flask-floor "
                   f"{agg[('flask-floor', 10)]['rps']:,.0f} req/s: **{share[0]:.2f}x** (paired, {share[1]:.2f}–"
                   f"{share[2]:.2f}x) — target >= {FLOOR_SHARE_TARGET:g}x (issue 19): "
                   f"{'met' if share[0] >= FLOOR_SHARE_TARGET else 'MISSED'}")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per level (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of discarded load before each (default 2)")
    parser.add_argument("--levels", default="1,10,50", help="concurrent clients, comma-separated (default 1,10,50)")
    parser.add_argument("--repetitions", type=int, default=3, help="interleaved repetitions per level (default 3)")
    parser.add_argument("--targets", default=",".join(DEFAULT_TARGETS),
                        help="comma-separated, from: " + ", ".join(TARGETS) + " (default: all but bridge-4x2 and the granian ones)")
    parser.add_argument("--results", default="email_status", help="name of the results file (default email_status)")
    parser.add_argument("--quiet-below", type=float, default=40,
                        help="wait before each measurement until other processes use less CPU %% than this (default 40)")
    parser.add_argument("--quiet-wait", type=float, default=30, help="but at most this many seconds (default 30)")
    parser.add_argument("--keycloak-db", choices=("dev-file", "postgres"), default="dev-file",
                        help="Keycloak's own database: its dev-file H2 (default) or a private PostgreSQL cluster, "
                             "as production runs it (needs Debian's postgresql; a running bench Keycloak is not reused)")
    parser.add_argument("--report", action="store_true", help="only print the tables of the saved run --results")
    args = parser.parse_args(argv)
    if args.report:
        saved = json.loads((stack.RESULTS / f"{args.results}.json").read_text())
        levels = [Level(**level) for level in saved["levels"]]
        print(json.dumps(saved["machine"], indent=2))
        print(f"\ncommand: {saved['command']}\n")
        print(table(levels))
        print()
        print("\n".join(verdict(levels)))
        return
    args.levels = [int(value) for value in args.levels.split(",")]
    targets = [TARGETS[name] for name in args.targets.split(",")]
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    BENCH_STATE.mkdir(parents=True, exist_ok=True)
    pairs = addresses()
    ADDRESSES.write_text("".join(f"{email}\n" for email, _ in pairs))
    env_info = stack.machine()
    levels: list[Level] = []
    with keycloak_database(args.keycloak_db, env_info) as database, stack.running_keycloak(database=database), \
            running_redis(stack.check_port(REDIS_PORT)), contextlib.ExitStack() as running:
        seed_partners()
        env_info.update(stack.server_info())
        migrate_bridge_db()
        servers: dict[str, Server] = {}
        for key in dict.fromkeys(t.server for t in targets if t.server):
            spec = SERVERS[key]
            env = bridge_env(spec.settings) if spec.bridge else naive_env()
            servers[key] = running.enter_context(Server(
                f"bench-{key}", spec.command(), env,
                f"http://127.0.0.1:{spec.port}/healthz"))
        for target in targets:
            if target.check:
                preflight(target, pairs)
        # Warm Keycloak's JIT on the search before anything is timed (favours the uncached baselines).
        run_wrk(url_of(TARGETS["keycloak-direct"]), 10, 10, wrk_args(TARGETS["keycloak-direct"]))
        for clients in args.levels:
            for repetition in range(1, args.repetitions + 1):
                shift = (repetition - 1) % len(targets)
                for target in targets[shift:] + targets[:shift]:
                    levels.append(measure(target, clients, repetition, args, servers, pairs))
    env_info["loadavg_end"] = stack.loadavg()
    command = "python -m bench.email_status " + " ".join(argv if argv is not None else sys.argv[1:])
    path = stack.save_results(args.results, {
        "machine": env_info, "command": command.strip(), "duration": args.duration, "warmup": args.warmup,
        "repetitions": args.repetitions, "aggregate": {f"{t}@{c}": m for (t, c), m in aggregate(levels).items()},
        "levels": [asdict(level) for level in levels]})
    print(json.dumps(env_info, indent=2))
    print()
    print(table(levels))
    print()
    print("\n".join(verdict(levels)))
    say(f"raw results: {path}")


if __name__ == "__main__":
    main()
