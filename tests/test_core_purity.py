"""The core (text → verdict) imports no Flask, HTTP client, database, socket or subprocess,
directly or through anything it imports (STYLE.md #1).

The import graph is read from the source (every ``import``, also those inside functions: a
lazy import is still a dependency), and walked transitively from each core module. The core
is every module that is not one of the outer layers below; a new module is core unless it
says otherwise here, so the guard cannot be dodged by adding a file.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "verifier"
# The outer layers: state (SQLite, PostgreSQL), the deep check (network), serving, web and CLI.
OUTER = {
    "verifier.store", "verifier.pgstore", "verifier.shared_schema", "verifier.reports", "verifier.apikeys",
    "verifier.checklog", "verifier.shared_copy", "verifier.registry.loader",  # state
    "verifier.fetch", "verifier.deep",  # the deep check's network side
    "verifier.runtime", "verifier.reload", "verifier.server", "verifier.logs", "verifier.limits",  # serving
    "verifier.mail_dns",  # DNS lookups for the e-mail check
    "verifier.cli", "verifier.ops_cli", "verifier.reports_cli", "verifier.registry.commands", "verifier.mail_cli", "verifier.screen",  # CLI
    "verifier",  # the package's check_text() opens the runtime (verified registry, state) on first use
}
OUTER_PACKAGES = ("verifier.web",)
FORBIDDEN = {"flask", "werkzeug", "requests", "urllib3", "http", "sqlite_utils", "sqlite3", "psycopg", "redis",
             "socket", "ssl", "gunicorn", "subprocess", "limits", "dns"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "shipped" not in p.parts}


def _is_outer(name: str) -> bool:
    return name in OUTER or name.startswith(OUTER_PACKAGES)


CORE = sorted(name for name in MODULES if not _is_outer(name))


@lru_cache(maxsize=None)
def imports_of(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(project modules, external top-level packages) that module ``name`` imports."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    internal: set[str] = set()
    external: set[str] = set()

    def add(target: str) -> None:
        if target.split(".")[0] != "verifier":
            external.add(target.split(".")[0])
            return
        while target and target not in MODULES:  # "verifier.heuristics.lookalike.X" → the module
            target = target.rpartition(".")[0]
        if target:
            internal.add(target)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                add(full if full in MODULES else base)
    internal.discard(name)
    return frozenset(internal), frozenset(external)


def closure(name: str) -> tuple[set[str], set[str]]:
    seen, externals, todo = set(), set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        internal, external = imports_of(current)
        externals |= external
        todo.extend(internal - seen)
    return seen, externals


@pytest.mark.parametrize("name", CORE)
def test_core_module_is_pure_through_everything_it_imports(name):
    reached, externals = closure(name)
    outer = sorted(m for m in reached if _is_outer(m))
    assert not outer, f"{name} reaches the outer layers: {outer}"
    assert not externals & FORBIDDEN, f"{name} reaches {sorted(externals & FORBIDDEN)}"


def test_the_guard_sees_the_core_and_the_outer_layers():
    # the modules the old hand-kept list missed are core and checked now
    assert {"verifier.page", "verifier.signing", "verifier.present", "verifier.scan", "verifier.check"} <= set(CORE)
    # and the graph is real: the web app reaches Flask, the pipeline reaches the detectors
    assert "flask" in closure("verifier.web")[1]
    assert "verifier.heuristics.domains" in closure("verifier.check")[0]
