"""No module defines a class or a function twice at its top level: the second would silently replace the first
(a browser page object named like another one once broke four browser tests of other pages)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MODULES = sorted(path for folder in ("bridge", "tests", "devstack", "bench", "examples")
                 for path in (REPO / folder).rglob("*.py") if "migrations" not in path.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(REPO)))
def test_each_top_level_name_is_defined_once(path):
    defined = Counter(node.name for node in ast.parse(path.read_text(encoding="utf-8")).body
                      if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)))
    assert [name for name, count in defined.items() if count > 1] == []
