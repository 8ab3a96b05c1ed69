"""The bridge's layers (docs/architecture.md): nothing imports a module of a layer above it.

keycloak (the gateway, at the bottom) < core < delivery, realm < directory (its import suspends customers and
moves requests through delivery's outbox and revocation), confirmation (its rounds end access through delivery;
its pages take each caller's own way of removing someone) < email_check, access_requests, contact, review < team
(which puts the request form's and the review UI's rules together), privacy (it reaches across features:
requests, audit, the review UI's revocation) < the app factory.
Features of one layer do not import each other, and within a feature the views and commands sit on
top: no module imports a `views` or `cli` module except the app factory.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BRIDGE = Path(__file__).resolve().parents[3] / "bridge"
LAYERS = {"keycloak": 0, "core": 1, "delivery": 2, "realm": 2, "directory": 2.5, "confirmation": 2.5, "email_check": 3,
          "access_requests": 3, "contact": 3, "review": 3, "team": 4, "privacy": 4, "__init__": 5}


def package_of(module: str) -> str:
    """`bridge.review.views` → review; `bridge` → __init__."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bridge"):
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith("bridge"))
    return names


MODULES = sorted(path for path in BRIDGE.rglob("*.py") if "migrations" not in path.parts)


def test_every_package_has_a_layer():
    assert {path.relative_to(BRIDGE).parts[0].removesuffix(".py") for path in MODULES} == set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(BRIDGE)))
def test_no_module_imports_upwards_or_sideways(path):
    own = path.relative_to(BRIDGE).parts[0].removesuffix(".py")
    for name in imports(path):
        other = package_of(name)
        if other not in LAYERS or other == own:
            continue
        assert LAYERS[other] < LAYERS[own], f"{path.relative_to(BRIDGE)} imports {name} (layer {other})"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(BRIDGE)))
def test_only_the_app_factory_imports_views_and_commands(path):
    if path == BRIDGE / "__init__.py":
        return
    reaching = [name for name in imports(path) if name.split(".")[-1] in ("views", "cli")]
    assert reaching == [], f"{path.relative_to(BRIDGE)} imports {reaching}"
