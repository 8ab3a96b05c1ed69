"""Generate the big realm into the kept PostgreSQL cluster once; later runs find it and skip this."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Iterator

import requests

from bench.big_realm import CACHE, PORTS, STATE
from bench.big_realm import bridge_data, keycloak_data
from bench.big_realm.plan import CUSTOMERS, MANAGERS, ORGANIZATIONS, PARTNERS, PENDING, REQUESTS, Plan
from bench.stack import BenchKeycloak, say
from bridge.keycloak.access import MANAGER_ROLE
from bridge.keycloak.gateway import KeycloakGateway
from devstack.keycloak import KEYCLOAK_VERSION
from devstack.postgres_server import RunningPostgres
from devstack.seed import seed_keycloak
from devstack.settings import stack_env

GENERATOR_VERSION = 1  # raise when what is generated changes: a kept cluster of another version is regenerated
MARKER = CACHE / "generated.json"
MANAGER_PASSWORD = "Manager-Bench-2026!"
# Keycloak's heap: kc.sh would take 70 % of the machine's 24 GiB; the bench stays modest beside other jobs.
HEAP = "-Xms256m -Xmx1536m"


def fingerprint() -> dict:
    return {"generator": GENERATOR_VERSION, "keycloak": KEYCLOAK_VERSION, "customers": CUSTOMERS,
            "organizations": ORGANIZATIONS, "partners": PARTNERS, "requests": REQUESTS, "pending": PENDING}


def generated() -> dict | None:
    """What the kept cluster holds, when it holds this generator's data."""
    if not MARKER.exists():
        return None
    note = json.loads(MARKER.read_text())
    return note if note.get("fingerprint") == fingerprint() else None


def keycloak_env(cluster: RunningPostgres, database: str) -> dict[str, str]:
    """The stack's environment on the bench's ports, Keycloak on `database` of the kept cluster."""
    return {**stack_env(PORTS, STATE), "KC_DB": "postgres", "KC_DB_USERNAME": "postgres",
            "KC_DB_URL": f"jdbc:postgresql://127.0.0.1:{cluster.port}/{database}", "JAVA_OPTS_KC_HEAP": HEAP}


def bridge_env(cluster: RunningPostgres) -> dict[str, str]:
    return {**stack_env(PORTS, STATE), "BRIDGE_DATABASE_URL": cluster.url("bridge")}


def keycloak(cluster: RunningPostgres, database: str = "keycloak") -> BenchKeycloak:
    """Keycloak as `make run` starts it (start-dev, realm import when empty), on the kept cluster's database."""
    return BenchKeycloak(STATE / f"keycloak-{database}", PORTS.keycloak, PORTS.keycloak_management,
                         keycloak_env(cluster, database))


@contextlib.contextmanager
def started(instance: BenchKeycloak, fresh: bool = False) -> Iterator[float]:
    """Start Keycloak, yield the seconds it took to be ready, stop it afterwards."""
    instance.prepare(fresh=fresh)
    instance.start()
    try:
        seconds = instance.wait_ready(900)
        instance.update_realm()
        yield seconds
    finally:
        instance.stop()


def gateway(instance: BenchKeycloak) -> KeycloakGateway:
    return KeycloakGateway(instance.url, "woundwo", "b2b-bridge", instance.env["BRIDGE_KEYCLOAK_CLIENT_SECRET"], 30)


def admin_token(instance: BenchKeycloak) -> str:
    response = requests.post(f"{instance.url}/realms/master/protocol/openid-connect/token", timeout=30, data={
        "grant_type": "password", "client_id": "admin-cli", "username": "admin", "password": "admin"})
    response.raise_for_status()
    return response.json()["access_token"]


def generate(cluster: RunningPostgres) -> dict:
    """Fill the cluster's databases `keycloak`, `keycloak_small` (the realm without the partners: the start-time
    baseline) and `bridge`; return the timings, also kept in the marker."""
    MARKER.unlink(missing_ok=True)
    plan = Plan()
    timings: dict[str, float] = {}
    began = time.perf_counter()
    for database in ("keycloak", "keycloak_small", "bridge"):
        cluster.execute(f"DROP DATABASE IF EXISTS {database}")
        cluster.execute(f"CREATE DATABASE {database}")

    main = keycloak(cluster)
    with started(main, fresh=True) as seconds:
        timings["keycloak_first_start_s"] = seconds
        directory = gateway(main)
        seed_keycloak(directory)
        for email in MANAGERS:
            user_id = directory.ensure_user(email, "Bench", email.split("@")[0], "fr", {}, email_verified=True)
            directory.set_password(user_id, MANAGER_PASSWORD)
            directory.grant_realm_role(user_id, MANAGER_ROLE)
    cluster.execute("DROP DATABASE keycloak_small")
    cluster.execute("CREATE DATABASE keycloak_small TEMPLATE keycloak")

    with started(keycloak(cluster)):
        token = admin_token(main)
        chunk = keycloak_data.IMPORT_CHUNK // 2
        timings["partial_import_s"] = sum(
            keycloak_data.partial_import(main.url, token, plan.partners[first:first + chunk])
            for first in range(0, keycloak_data.IMPORT_CHUNK, chunk))
        say(f"{keycloak_data.IMPORT_CHUNK} partners through the partial import in {timings['partial_import_s']:.0f} s")
    step = time.perf_counter()
    counts = keycloak_data.fill_by_sql(cluster.url("keycloak").replace("+psycopg", ""), plan,
                                       keycloak_data.IMPORT_CHUNK)
    timings["keycloak_sql_s"] = time.perf_counter() - step
    say(f"Keycloak by SQL in {timings['keycloak_sql_s']:.0f} s: {counts}")

    env = bridge_env(cluster)
    (STATE / "logs").mkdir(parents=True, exist_ok=True)
    timings["bridge_migrate_s"] = bridge_data.prepare_database(env, STATE / "logs")
    timings["directory_first_import_s"], report = bridge_data.import_directory(env, plan, STATE / "import")
    say(f"directory imported in {timings['directory_first_import_s']:.0f} s: {report}")
    step = time.perf_counter()
    counts.update(bridge_data.fill_requests(cluster.url("bridge").replace("+psycopg", ""), plan))
    timings["bridge_sql_s"] = time.perf_counter() - step
    timings["total_s"] = time.perf_counter() - began
    note = {"fingerprint": fingerprint(), "generated_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "timings": {name: round(value, 1) for name, value in timings.items()}, "counts": counts}
    MARKER.write_text(json.dumps(note, indent=2))
    say(f"generated in {timings['total_s']:.0f} s: {note}")
    return note
