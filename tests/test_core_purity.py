"""The core (text → verdict) imports no Flask, HTTP client, database, socket or subprocess,
directly or through anything it imports (STYLE.md #1).

The import graph is read from the source (every ``import``, also those inside functions: a
lazy import is still a dependency), and walked transitively. The layers are the package's
folders (``state/``, ``deep/``, ``serving/``, ``web/``, ``cli/``; everything else is core), so
a new module is placed by where it is saved, and the guard cannot be dodged by adding a file.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "verifier"
# The layers, lowest first: a module may import its own layer and the layers below it, never
# one above (cli and web → serving → deep → state → core). The core is every module at the top
# of the package and in inputs/, heuristics/ and registry/: the folders are the layers.
LAYERS = ("core", "state", "deep", "serving", "web", "cli")
RANK = {layer: rank for rank, layer in enumerate(LAYERS)}
FORBIDDEN = {"flask", "werkzeug", "requests", "urllib3", "http", "sqlite_utils", "sqlite3", "psycopg", "redis",
             "socket", "ssl", "gunicorn", "subprocess", "limits", "dns"}


def layer_of(name: str) -> str:
    parts = name.split(".")
    if name == "verifier":
        return "cli"  # the package's check_text() opens the runtime on first use: a front door
    return parts[1] if len(parts) >= 2 and parts[1] in RANK else "core"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "shipped" not in p.parts}


CORE = sorted(name for name in MODULES if layer_of(name) == "core")


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
        # The package root is every module's parent, not a dependency: "from verifier import
        # __version__" does not run check_text(), the front door that opens the runtime.
        if target and target != "verifier":
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
    outer = sorted(m for m in reached if layer_of(m) != "core")
    assert not outer, f"{name} reaches the outer layers: {outer}"
    assert not externals & FORBIDDEN, f"{name} reaches {sorted(externals & FORBIDDEN)}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_a_higher_layer(name):
    """Directly or through anything it imports: one direction of imports."""
    reached, _ = closure(name)
    higher = sorted(m for m in reached if RANK[layer_of(m)] > RANK[layer_of(name)])
    assert not higher, f"{name} ({layer_of(name)}) reaches {higher}"


def test_the_layers_are_the_folders():
    assert {layer_of(n) for n in MODULES} == set(LAYERS)
    assert layer_of("verifier.state.store") == "state" and layer_of("verifier.deep.fetch") == "deep"
    assert layer_of("verifier.heuristics.domains") == "core" and layer_of("verifier.registry.trust") == "core"
    # the modules the old hand-kept list missed are core and checked now
    assert {"verifier.page", "verifier.signing", "verifier.present", "verifier.scan", "verifier.check"} <= set(CORE)
    # and the graph is real: the web app reaches Flask, the pipeline reaches the detectors
    assert "flask" in closure("verifier.web")[1]
    assert "verifier.heuristics.domains" in closure("verifier.check")[0]
