"""Ports and environment of a local stack: the dev defaults live here, never in production config."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Ports:
    """The localhost ports one stack listens on."""

    keycloak: int
    keycloak_management: int
    bridge: int
    portal: int
    smtp: int
    mail_http: int


DEV_PORTS = Ports(keycloak=8080, keycloak_management=9000, bridge=8000, portal=8001, smtp=1025, mail_http=8025)
# Tests use ports of their own, so `make test` also runs while `make run` is up; WOUNDWO_TEST_PORT_OFFSET
# shifts them all, e.g. for a second test run (a CI check of a fresh clone) beside a first one.
_OFFSET = int(os.environ.get("WOUNDWO_TEST_PORT_OFFSET", "0"))
TEST_PORTS = Ports(*(port + _OFFSET for port in (18080, 19000, 18000, 18001, 11025, 18025)))
TEST_STATE_DIR = REPO_ROOT / ".devstack" / (f"test-{_OFFSET}" if _OFFSET else "test")

PUBLIC_LINKS = {
    "WOUNDWO_DEALER_SEARCH_URL": "https://www.woundwo.example/{lang}/dealer-search",
    "WOUNDWO_DOWNLOADS_URL": "https://www.woundwo.example/{lang}/downloads",
    "WOUNDWO_CONTACT_URL": "https://www.woundwo.example/{lang}/contact",
}


def stack_env(ports: Ports, state_dir: Path | None = None) -> dict[str, str]:
    """Environment shared by Keycloak (realm placeholders, theme links), the bridge and the portal."""
    state_dir = state_dir or REPO_ROOT / ".devstack"
    keycloak_url = f"http://localhost:{ports.keycloak}"
    bridge_url = f"http://localhost:{ports.bridge}"
    env = {
        # realm-export.json placeholders
        "SMTP_HOST": "localhost",
        "SMTP_PORT": str(ports.smtp),
        "SMTP_AUTH": "false",
        "SMTP_USER": "",
        "SMTP_PASSWORD": "",
        "SMTP_STARTTLS": "false",
        "SMTP_SSL": "false",
        "PORTAL_URL": f"http://localhost:{ports.portal}",
        "PORTAL_CLIENT_SECRET": "dev-portal-secret",
        "BRIDGE_PUBLIC_URL": bridge_url,
        "BRIDGE_MANAGER_CLIENT_SECRET": "dev-manager-secret",
        "BRIDGE_KEYCLOAK_CLIENT_SECRET": "dev-bridge-secret",
        "BRIDGE_REALM_OPERATOR_CLIENT_SECRET": "dev-realm-operator-secret",
        # Keycloak bootstrap admin
        "KC_BOOTSTRAP_ADMIN_USERNAME": "admin",
        "KC_BOOTSTRAP_ADMIN_PASSWORD": "admin",
        # bridge
        "BRIDGE_ENV": "development",
        "BRIDGE_SECRET_KEY": "dev-only-secret-key-not-for-production",
        "BRIDGE_DATABASE_URL": f"sqlite:///{state_dir / 'bridge.sqlite'}",
        "BRIDGE_KEYCLOAK_URL": keycloak_url,
        "BRIDGE_KEYCLOAK_REALM": "woundwo",
        "BRIDGE_KEYCLOAK_CLIENT_ID": "b2b-bridge",
        "BRIDGE_CORS_ORIGINS": keycloak_url,
        "BRIDGE_SMTP_HOST": "localhost",
        "BRIDGE_SMTP_PORT": str(ports.smtp),
        "BRIDGE_FALLBACK_MANAGER_EMAIL": "b2b-team@woundwo.example",
        "BRIDGE_CONTACT_URL": "https://www.woundwo.example/{lang}/contact",
        "BRIDGE_PRIVACY_URL": "https://www.woundwo.example/{lang}/privacy",
        "BRIDGE_PORTAL_URL": f"http://localhost:{ports.portal}/",
        # example portal
        "PORTAL_KEYCLOAK_URL": keycloak_url,
        "PORTAL_SECRET_KEY": "dev-only-portal-secret-key-not-for-production",
    }
    for name, template in PUBLIC_LINKS.items():
        for lang in ("fr", "de", "en"):
            env[f"{name}_{lang.upper()}"] = template.format(lang=lang)
    return env


def write_cli_settings(env: dict[str, str], path: Path) -> None:
    """The bridge's settings of a running stack as a dotenv file, for `flask --app bridge ...` in another shell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{name}={json.dumps(value)}" for name, value in sorted(env.items()) if name.startswith("BRIDGE_")]
    path.write_text("# Written by `make run` while it is up; removed when it stops. Development values only.\n"
                    + "\n".join(lines) + "\n", encoding="utf-8")
