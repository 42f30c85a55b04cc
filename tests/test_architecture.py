"""The architecture's promises (docs/architecture.md), checked on the source itself.

import-linter (``make lint``) checks the layers; this checks what it cannot say in one
contract: no import cycle at all between modules of ``typedws`` and of the generator, imports
inside functions included (type-only imports under ``TYPE_CHECKING`` are no dependency), and
the size limits that keep modules and functions readable.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping, Set
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("typedws", "typedws_codegen", "typedws_client")
SOURCES = (
    ROOT / "typedws",
    ROOT / "codegen" / "typedws_codegen",
    ROOT / "clients" / "python" / "typedws_client",
)
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 40


def import_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)
    return {
        module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules
    }


def cycles(graph: Mapping[str, Set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph.get(module, ())):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while (member := stack.pop()) != module:
                component.append(member)
            component.append(module)
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules() -> None:
    assert cycles(import_graph()) == []


def test_imports_inside_functions_count() -> None:
    """``typedws.apps`` imports the signal wiring inside ``ready()``: the graph sees it."""
    assert "typedws.subscriptions.signals" in import_graph()["typedws.apps"]


def python_files() -> Iterator[Path]:
    for source in SOURCES:
        yield from (path for path in sorted(source.rglob("*.py")) if "migrations" not in path.parts)


@pytest.mark.parametrize("path", list(python_files()), ids=lambda path: str(path.relative_to(ROOT)))
def test_modules_and_functions_stay_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES
    long = [
        f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []
