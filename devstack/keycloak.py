"""Run a real Keycloak from the distribution zip: fetch once, copy per instance, start-dev, wait, stop.

Each instance (the `make run` stack, a test session) gets its own copy of the distribution, because
`start-dev` writes its build output, its dev-file database and the imported realm into the install
folder. The zip itself is cached outside the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from bridge.realm import apply as applying
from bridge.realm import source, state
from bridge.realm.admin import OPERATOR_CLIENT_ID, RealmAdmin, RealmAdminError
from bridge.realm.report import describe
from bridge.realm.source import missing_placeholders
from devstack import processes

KEYCLOAK_VERSION = "26.7.3"
# SHA-256 of keycloak-quarkus-dist-26.7.3.zip from Maven Central (its .sha1 is 1e21a7f5…).
DIST_SHA256 = "27a6535553c3cdcd083872ba40629efafb3475e3b758e0c6f691395561dd0f1f"
DIST_URL = (
    "https://repo.maven.apache.org/maven2/org/keycloak/keycloak-quarkus-dist/"
    f"{KEYCLOAK_VERSION}/keycloak-quarkus-dist-{KEYCLOAK_VERSION}.zip"
)
REPO_ROOT = Path(__file__).resolve().parent.parent
THEME_DIR = REPO_ROOT / "keycloak-theme"
REALM_FILE = REPO_ROOT / "realm-export.json"
MIN_JAVA = 17


def say(message: str) -> None:
    """Print a progress line that stands out from the servers' own output."""
    print(f"[keycloak] {message}", flush=True)


def cache_dir() -> Path:
    """Where downloads live: outside the repository, shared by every checkout."""
    base = os.environ.get("WOUNDWO_CACHE") or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "woundwo-b2b"
    return Path(base)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def distribution() -> Path:
    """Return an unpacked Keycloak: KEYCLOAK_HOME if set, else the pinned version from the cache (fetched once)."""
    if os.environ.get("KEYCLOAK_HOME"):
        home = Path(os.environ["KEYCLOAK_HOME"])
        if not (home / "bin" / "kc.sh").exists():
            raise SystemExit(f"KEYCLOAK_HOME={home} has no bin/kc.sh")
        return home
    cache = cache_dir()
    home = cache / f"keycloak-{KEYCLOAK_VERSION}"
    if (home / "bin" / "kc.sh").exists():
        return home
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / f"keycloak-{KEYCLOAK_VERSION}.zip"
    if not archive.exists() or _sha256(archive) != DIST_SHA256:
        say(f"downloading Keycloak {KEYCLOAK_VERSION} (about 170 MB) into {cache}")
        partial = archive.with_suffix(".part")
        with urllib.request.urlopen(DIST_URL, timeout=60) as response, partial.open("wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
        if _sha256(partial) != DIST_SHA256:
            partial.unlink()
            raise SystemExit(f"checksum mismatch for {DIST_URL}; refusing to use it")
        partial.replace(archive)
    say(f"unpacking {archive.name}")
    staging = cache / f".unpack-{os.getpid()}"
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(staging)
    for script in (staging / f"keycloak-{KEYCLOAK_VERSION}" / "bin").glob("*.sh"):
        script.chmod(0o755)
    (staging / f"keycloak-{KEYCLOAK_VERSION}").replace(home)
    shutil.rmtree(staging)
    return home


def _java_version(java_home: Path) -> int | None:
    release = java_home / "release"
    if not (java_home / "bin" / "java").exists() or not release.exists():
        return None
    match = re.search(r'^JAVA_VERSION="(\d+)', release.read_text(), re.MULTILINE)
    return int(match.group(1)) if match else None


def find_jdk(jvm: Path = Path("/usr/lib/jvm")) -> tuple[Path, int]:
    """Pick the newest installed JDK >= 17 (JAVA_HOME and the JDKs under /usr/lib/jvm are looked at)."""
    candidates = [Path(p) for p in [os.environ.get("JAVA_HOME")] if p]
    if jvm.is_dir():
        candidates += sorted(p for p in jvm.iterdir() if not p.is_symlink())
    found = [(version, home) for home in candidates if (version := _java_version(home)) and version >= MIN_JAVA]
    if not found:
        raise SystemExit(f"no JDK >= {MIN_JAVA} found (set JAVA_HOME); Keycloak {KEYCLOAK_VERSION} needs one")
    version, home = max(found, key=lambda item: item[0])
    return home, version


def install(directory: Path, env: dict[str, str], realm_file: Path = REALM_FILE) -> str:
    """Copy the distribution into `directory` (once) and link our theme; return the realm file's text.

    Refuses (SystemExit) when `env` lacks a ${NAME} placeholder of the realm file.
    """
    realm_text = realm_file.read_text()
    missing = missing_placeholders(realm_text, env)
    if missing:
        raise SystemExit(f"realm-export.json needs these environment variables: {', '.join(missing)}")
    if not (directory / "bin" / "kc.sh").exists():
        say(f"copying the distribution into {directory}")
        directory.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(distribution(), directory, symlinks=True)
    theme = directory / "themes" / "woundwo"
    if not theme.is_symlink():
        if theme.exists():
            shutil.rmtree(theme)
        theme.symlink_to(THEME_DIR)
    return realm_text


@dataclass
class KeycloakInstance:
    """One Keycloak install folder with its own ports, data and log."""

    directory: Path
    http_port: int
    management_port: int
    env: dict[str, str] = field(default_factory=dict)
    realm_file: Path = REALM_FILE
    process: subprocess.Popen | None = None
    realm_changed: bool = False

    @property
    def url(self) -> str:
        return f"http://localhost:{self.http_port}"

    @property
    def log_file(self) -> Path:
        return self.directory / "keycloak.log"

    @property
    def _realm_marker(self) -> Path:
        return self.directory / "data" / "realm-export.sha256"

    def prepare(self, fresh: bool = False) -> bool:
        """Install the distribution, theme and realm; return True when the realm will be imported (empty database).

        A realm-export.json changed since the import keeps the database: `update_realm` applies it once
        Keycloak runs (Keycloak's --import-realm skips a realm that exists).
        """
        install(self.directory, self.env, self.realm_file)
        try:
            realm_hash = source.fingerprint(source.load(self.realm_file, self.env))
        except source.RealmFileError as exc:
            raise SystemExit(str(exc)) from None
        data = self.directory / "data"
        marker = self._realm_marker
        imported = not fresh and marker.exists()
        self.realm_changed = imported and marker.read_text() != realm_hash
        if not imported:
            if data.exists():
                say("a fresh start was asked for, or the realm was never imported: starting from an empty database")
                shutil.rmtree(data)
            (data / "import").mkdir(parents=True)
            shutil.copyfile(self.realm_file, data / "import" / "realm-export.json")
            marker.write_text(realm_hash)
        return not imported

    def update_realm(self) -> None:
        """Once Keycloak is ready: apply a changed realm-export.json the way `flask --app bridge realm apply` does.

        A database imported before the realm had its operator client cannot be updated that way: it is
        imported again from an empty one (Keycloak restarts).
        """
        if not self.realm_changed:
            return
        say("realm-export.json changed since the import: applying it to the running realm (flask --app bridge realm apply)")
        realm = source.load(self.realm_file, self.env)
        admin = RealmAdmin(self.url, realm["realm"], OPERATOR_CLIENT_ID, self.env["BRIDGE_REALM_OPERATOR_CLIENT_SECRET"])
        try:
            admin.sign_in()
        except RealmAdminError:
            say(f"the realm has no {OPERATOR_CLIENT_ID} client yet: importing it again from an empty database")
            self.stop()
            self.prepare(fresh=True)
            self.start()
            self.wait_ready()
            return
        desired = state.desired(realm)
        changes = applying.current_plan(admin, desired)
        for line in describe(changes):
            say(line)
        applying.apply_and_check(admin, realm, desired, changes)
        shutil.copyfile(self.realm_file, self.directory / "data" / "import" / "realm-export.json")
        self._realm_marker.write_text(source.fingerprint(realm))
        self.realm_changed = False

    def command(self) -> list[str]:
        return [
            str(self.directory / "bin" / "kc.sh"), "start-dev",
            "--import-realm",
            "--health-enabled=true",
            # keycloak_user_events_total on the management port: the failed-sign-in alerts of docs/security.md §4
            "--metrics-enabled=true",
            "--event-metrics-user-enabled=true",
            f"--http-port={self.http_port}",
            f"--http-management-port={self.management_port}",
            "--http-host=127.0.0.1",
            f"--hostname=http://localhost:{self.http_port}",
        ]

    def start(self) -> None:
        """Start Keycloak in its own process group, logging to keycloak.log."""
        java_home, version = find_jdk()
        say(f"using Java {version} from {java_home}")
        env = {"KC_BOOTSTRAP_ADMIN_USERNAME": "admin", "KC_BOOTSTRAP_ADMIN_PASSWORD": "admin",
               **self.env, "JAVA_HOME": str(java_home)}
        self.process = processes.spawn(self.command(), env, self.log_file, cwd=self.directory)
        say(f"starting on {self.url} (management {self.management_port}), log: {self.log_file}")

    def wait_ready(self, timeout: float = 240) -> float:
        """Block until /health/ready answers UP (allow minutes on 2 cores); return the seconds it took."""
        health = f"http://localhost:{self.management_port}/health/ready"
        return processes.wait_http(health, timeout, self.process, self.log_file)

    def stop(self) -> None:
        """Stop Keycloak's whole process group."""
        processes.stop(self.process)


def main(argv: list[str] | None = None) -> None:
    """Run one Keycloak in the foreground with the dev stack's environment until Ctrl-C."""
    from devstack.settings import DEV_PORTS, stack_env

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, default=REPO_ROOT / ".devstack" / "keycloak")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    args = parser.parse_args(argv)
    instance = KeycloakInstance(args.dir, DEV_PORTS.keycloak, DEV_PORTS.keycloak_management, stack_env(DEV_PORTS))
    instance.prepare(fresh=args.fresh)
    instance.start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        say(f"ready after {instance.wait_ready():.0f} s")
        instance.update_realm()
        instance.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        instance.stop()


if __name__ == "__main__":
    main()
