"""rex_cli.control has no import cycle: every module imports first in a fresh interpreter,
and the graph of its imports inside rex_cli.control (deferred ones included) is acyclic."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import rex_cli.control

ROOT = Path(rex_cli.control.__file__).parent


def _modules() -> list[str]:
    names = ["rex_cli.control"]
    for info in pkgutil.walk_packages([str(ROOT)], prefix="rex_cli.control."):
        names.append(info.name)
    return sorted(names)


def _path(module: str) -> Path:
    rel = Path(*module.split(".")[2:])
    pkg = ROOT / rel / "__init__.py"
    return pkg if pkg.exists() else (ROOT / rel).with_suffix(".py")


def _imports(module: str) -> set[str]:
    """Modules of rex_cli.control imported anywhere in ``module`` (deferred imports inside
    functions too: a cycle hidden in a function is still a cycle)."""
    tree = ast.parse(_path(module).read_text())
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out |= {n for n in names if n.startswith("rex_cli.control")}
    return out


def test_every_control_module_is_found():
    mods = _modules()
    for m in ("rex_cli.control.highs", "rex_cli.control.rhpo", "rex_cli.control.lp.block"):
        assert m in mods


@pytest.mark.parametrize("module", _modules())
def test_module_imports_first_in_a_fresh_interpreter(module):
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, capture_output=True)


def test_import_graph_is_acyclic():
    mods = _modules()
    # A package's own submodules are not its dependencies' business: "a.b" importing
    # "a" runs a/__init__.py, so edges go to the imported module and its packages.
    graph: dict[str, set[str]] = {}
    for m in mods:
        deps = set()
        for d in _imports(m):
            parts = d.split(".")
            deps |= {".".join(parts[:i]) for i in range(3, len(parts) + 1)}
        graph[m] = {d for d in deps if d in graph or d in mods} - {m}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        if state.get(m) == 2:
            return
        assert state.get(m) != 1, "import cycle: " + " -> ".join([*path, m])
        state[m] = 1
        for d in sorted(graph.get(m, ())):
            if d not in m:  # a submodule importing its own package's name is the package
                visit(d, [*path, m])
        state[m] = 2

    for m in mods:
        visit(m, [])
