"""The core (text → verdict) imports no Flask, HTTP client, SQLite layer or socket (STYLE.md #1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "verifier"
CORE = [
    "model.py", "errors.py", "classify.py", "hostnames.py", "platforms.py", "decide.py", "messages.py",
    "check.py", "strictjson.py", "registry/schema.py", "registry/index.py", "registry/trust.py",
    *(f"inputs/{p.name}" for p in (PACKAGE / "inputs").glob("*.py")),
    *(f"heuristics/{p.name}" for p in (PACKAGE / "heuristics").glob("*.py")),
]
FORBIDDEN = {"flask", "requests", "sqlite_utils", "sqlite3", "socket", "urllib3", "http", "gunicorn", "subprocess"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("relative", sorted(set(CORE)))
def test_core_module_is_pure(relative):
    assert not imported_modules(PACKAGE / relative) & FORBIDDEN


def test_core_modules_do_not_import_the_presenters():
    for relative in set(CORE):
        tree = ast.parse((PACKAGE / relative).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("verifier.web", "verifier.cli", "verifier.store", "verifier.server")), relative
