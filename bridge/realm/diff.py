"""What differs between the file's parts and the live realm's: only what the file states is compared.

A field the file leaves out is the server's business (Keycloak fills defaults, ids, timestamps) and is
never reported. Lists of plain values (redirect URIs, locales, scope names) are compared as sets; lists
of named objects (the user profile's attributes) by name, and there a name only the live realm has is
reported too, because the file states the whole list; other lists (a flow's steps) by position.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bridge.realm.state import KINDS, State

ABSENT = "(absent)"
PRESENT = "(present)"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: where, what the live realm has, what the file says."""

    path: str
    live: Any
    desired: Any


@dataclass(frozen=True)
class Change:
    """One part of the realm to create or to update, with the fields that differ."""

    kind: str
    name: str
    action: Action
    fields: tuple[FieldChange, ...] = ()


def plan(desired: State, live: State) -> list[Change]:
    """Every part of `desired` that the live realm lacks or holds differently, in apply's order."""
    changes = []
    for kind in KINDS:
        for name, wanted in desired.get(kind, {}).items():
            current = live.get(kind, {}).get(name)
            if current is None:
                changes.append(Change(kind, name, Action.CREATE))
            elif fields := differences(wanted, current):
                changes.append(Change(kind, name, Action.UPDATE, tuple(fields)))
    return changes


def differences(wanted: Any, current: Any, path: str = "") -> list[FieldChange]:
    """The fields of `wanted` that `current` does not hold."""
    if isinstance(wanted, dict) and isinstance(current, dict):
        return [change for key, value in wanted.items()
                for change in differences(value, current.get(key, ABSENT), _join(path, key))]
    if isinstance(wanted, list) and isinstance(current, list):
        return _list_differences(wanted, current, path)
    if _plain(wanted) == _plain(current) or (wanted == "" and current is ABSENT):
        return []  # Keycloak drops empty settings it is sent (an SMTP server without a user) instead of storing ""
    return [FieldChange(path, current, wanted)]


def _list_differences(wanted: list, current: list, path: str) -> list[FieldChange]:
    if all(_named(item) for item in wanted + current):
        by_name = {item["name"]: item for item in current}
        changes = [change for item in wanted
                   for change in differences(item, by_name.get(item["name"], ABSENT), f"{path}[{item['name']}]")]
        wanted_names = {item["name"] for item in wanted}
        return changes + [FieldChange(f"{path}[{name}]", PRESENT, ABSENT) for name in by_name if name not in wanted_names]
    if any(isinstance(item, (dict, list)) for item in wanted + current):
        changes = [change for index, item in enumerate(wanted)
                   for change in differences(item, current[index] if index < len(current) else ABSENT, f"{path}[{index}]")]
        extra = range(len(wanted), len(current))
        return changes + [FieldChange(f"{path}[{index}]", current[index], ABSENT) for index in extra]
    if sorted(map(_plain, wanted)) == sorted(map(_plain, current)):
        return []
    return [FieldChange(path, current, wanted)]


def _named(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("name"), str)


def _plain(value: Any) -> Any:
    """Keycloak answers some settings as strings that the file gives as numbers or booleans (attributes, SMTP)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
