"""realm-export.json as the live realm should be: read, checked, its ${NAME} placeholders filled from the environment.

Keycloak's own import fills the same placeholders from its environment; `make run` and the tests check
with `missing_placeholders` that none is left empty before they import the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Our own ${NAME} placeholders are upper case; Keycloak's message keys (${profileScopeConsentText}) are not.
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


class RealmFileError(Exception):
    """The realm file cannot be used; the message says why and names no secret."""


def missing_placeholders(realm_text: str, env: Mapping[str, str]) -> list[str]:
    """Names of ${NAME} placeholders in the realm file that the environment does not define."""
    return sorted({name for name in PLACEHOLDER.findall(realm_text) if name not in env})


def fill(value: Any, env: Mapping[str, str]) -> Any:
    """`value` with every ${NAME} in its strings replaced by env[NAME] (after parsing, so no value breaks the JSON)."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda match: env[match.group(1)], value)
    if isinstance(value, list):
        return [fill(item, env) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, env) for key, item in value.items()}
    return value


def load(path: Path, env: Mapping[str, str]) -> dict:
    """The realm file at `path`, checked and filled; RealmFileError when it is unreadable, not JSON or incomplete."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RealmFileError(f"{path}: cannot read it ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        realm = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RealmFileError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})") from None
    if not isinstance(realm, dict) or not isinstance(realm.get("realm"), str) or not realm["realm"].strip():
        raise RealmFileError(f'{path}: the realm has no name (a top-level "realm" field with the realm\'s name)')
    missing = missing_placeholders(text, env)
    if missing:
        raise RealmFileError(f"{path} needs these environment variables: {', '.join(missing)}")
    return fill(realm, env)


def fingerprint(realm: dict) -> str:
    """A hash of the filled realm: `make run` applies the file again when it changes."""
    return hashlib.sha256(json.dumps(realm, sort_keys=True).encode()).hexdigest()
