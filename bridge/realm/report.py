"""The plan as an operator reads it: one line per part, one indented line per field that differs."""

from __future__ import annotations

from typing import Any

from bridge.realm.apply import unsupported
from bridge.realm.diff import ABSENT, PRESENT, Action, Change

SIGNS = {Action.CREATE: "+", Action.UPDATE: "~"}
LONGEST_VALUE = 100


def describe(changes: list[Change]) -> list[str]:
    """Lines saying what apply would change (or that nothing differs)."""
    if not changes:
        return ["no differences: the live realm matches the file"]
    lines = []
    for change in changes:
        to_create = " (to create)" if change.action == Action.CREATE else ""
        lines.append(f"{SIGNS[change.action]} {change.kind} {change.name}{to_create}")
        lines += [f"    {field.path}: {_shown(field.live)} → {_shown(field.desired)}" for field in change.fields]
        if reason := unsupported(change):
            lines.append(f"    ! {reason}")
    created = sum(change.action == Action.CREATE for change in changes)
    lines.append(f"{len(changes)} to change: {created} to create, {len(changes) - created} to update")
    return lines


def _shown(value: Any) -> str:
    text = value if value in (ABSENT, PRESENT) else repr(value)
    return text if len(text) <= LONGEST_VALUE else text[:LONGEST_VALUE - 1] + "…"
