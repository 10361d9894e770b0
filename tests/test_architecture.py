"""The package's shape: stages as layers that import one way, no cycles, click only at the edge.

The graph comes from grimp, which sees every import statement, including those inside functions
and under ``if TYPE_CHECKING:``; an import hidden in a function still counts.
"""

from __future__ import annotations

import ast
from copy import deepcopy
from pathlib import Path

import grimp
import pytest

PACKAGE = "glance_validate"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

# From the top down: a module may import modules of its own layer or of any layer below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("cli",),
    ("testing", "strategies"),
    ("runner",),
    ("probe",),
    ("generate",),
    ("analysis",),
    ("report",),
    ("checks",),
    ("schema",),
    ("net",),
    ("inputs",),
    ("text",),
    ("regex",),
    ("core",),
)
MAX_LINES = 450


def layer_of(module: str) -> int | None:
    """The index of the layer a module belongs to (0 is the top), None for the root package."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] == "__main__":
        return None
    for index, names in enumerate(LAYERS):
        if parts[1] in names:
            return index
    raise AssertionError(f"{module} belongs to no layer: add its package to LAYERS")


def upward_imports(graph: grimp.ImportGraph) -> list[str]:
    """Every import of a higher layer by a lower one, as 'importer -> imported (line)'."""
    found = []
    for importer in sorted(graph.modules):
        below = layer_of(importer)
        if below is None:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            above = layer_of(imported) if imported.startswith(PACKAGE + ".") else None
            if above is not None and above < below:
                lines = graph.get_import_details(importer=importer, imported=imported)
                where = ", ".join(str(detail["line_number"]) for detail in lines)
                found.append(f"{importer} -> {imported} (line {where})")
    return found


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iteratively)."""
    modules = sorted(m for m in graph.modules if m.startswith(PACKAGE + "."))
    edges = {
        m: sorted(i for i in graph.find_modules_directly_imported_by(m) if i in modules) for m in modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in modules:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if child < len(edges[node]):
                work.append((node, child + 1))
                nxt = edges[node][child]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, include_external_packages=True, cache_dir=None)


def test_lower_layers_never_import_higher_ones(graph: grimp.ImportGraph) -> None:
    """Stages import one way: core at the bottom, the command line at the top."""
    assert upward_imports(graph) == []


def test_the_contract_catches_an_upward_import(graph: grimp.ImportGraph) -> None:
    """The layer check is not vacuous: a core module importing the CLI is reported."""
    copy = deepcopy(graph)
    copy.add_import(
        importer="glance_validate.core.findings",
        imported="glance_validate.cli.main",
        line_number=1,
        line_contents="x",
    )
    assert upward_imports(copy) == ["glance_validate.core.findings -> glance_validate.cli.main (line 1)"]


def test_no_import_cycles_even_inside_functions(graph: grimp.ImportGraph) -> None:
    """No group of modules imports each other in a circle."""
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_planted_cycle(graph: grimp.ImportGraph) -> None:
    """The cycle check is not vacuous: an import back from sources to remote is a cycle."""
    copy = deepcopy(graph)
    copy.add_import(
        importer="glance_validate.schema.remote",
        imported="glance_validate.schema.sources",
        line_number=1,
        line_contents="x",
    )
    assert ["glance_validate.schema.remote", "glance_validate.schema.sources"] in cycles(copy)


def test_only_the_cli_imports_click(graph: grimp.ImportGraph) -> None:
    """The library never imports click: it belongs to the command line's edge."""
    importers = graph.find_modules_that_directly_import("click")
    assert sorted(m for m in importers if not m.startswith(PACKAGE + ".cli")) == []


def test_the_library_never_prints() -> None:
    """Nothing below the command line calls print(): results are values, rendered at the edge."""
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.relative_to(ROOT).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_every_package_is_in_a_layer() -> None:
    """A new subpackage must say where it sits in the pipeline."""
    for path in ROOT.iterdir():
        if path.is_dir() and (path / "__init__.py").exists():
            assert layer_of(f"{PACKAGE}.{path.name}") is not None


def test_modules_stay_short_or_say_why() -> None:
    """No module over about 450 lines unless its docstring gives the reason ('Long because')."""
    long = []
    for path in sorted(ROOT.rglob("*.py")):
        text = path.read_text("utf-8")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if len(text.splitlines()) > MAX_LINES and "Long because" not in docstring:
            long.append(f"{path.relative_to(ROOT)} ({len(text.splitlines())} lines)")
    assert long == []
