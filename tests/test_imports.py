"""thememine's modules import each other without circles.

What is checked, precisely: a graph with one node per module of the ``thememine`` package (every
``.py`` file; a package is its ``__init__.py``), read with :mod:`ast` without importing anything.
Module A has an edge to module B when A holds an ``import`` or ``from … import`` statement that
names B, wherever the statement is: at the top, or inside a function or class body (an import
that runs later still ties the two modules together). Statements under ``if TYPE_CHECKING:`` are
left out, since they never run. ``from P import x`` names ``P.x`` when that is a module, else
``P``. Importing a module first runs the ``__init__`` of each package above it, so an edge to
``P.Q.m`` also gives edges to ``P.Q`` and ``P`` — except to packages that hold A itself, which are
already being imported when A runs (a package's ``__init__`` importing its own submodules is no
circle). The graph must have no cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import thememine

PACKAGE = Path(thememine.__file__).parent

# Circles allowed for a while (none today): an entry must be removed when its circle is gone; the
# test fails if an entry no longer describes a circle.
KNOWN_CIRCLES: set[frozenset[str]] = set()


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement under ``node``, skipping the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _import_nodes_of(other)
            continue
        yield from _import_nodes_of(child)


def _import_nodes_of(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _import_nodes(node)


def named_modules(
    node: ast.Import | ast.ImportFrom, importer: str, is_package: bool, known: set[str]
) -> set[str]:
    """The thememine modules an import statement names (before adding the packages above them)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    if node.level:
        base = importer.split(".")
        base = base[: len(base) - node.level + (1 if is_package else 0)]
        source = ".".join([*base, node.module] if node.module else base)
    else:
        source = node.module or ""
    found = set()
    for alias in node.names:
        submodule = f"{source}.{alias.name}"
        if submodule in known:
            found.add(submodule)
        elif source in known:
            found.add(source)
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module name → the modules it imports (see the module docstring for what counts)."""
    files = {module_name(path, root): path for path in root.rglob("*.py")}
    known = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        own = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
        edges: set[str] = set()
        for node in _import_nodes(tree):
            for target in named_modules(node, name, is_package, known):
                parts = target.split(".")
                above = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
                edges |= {module for module in above if module in known and module not in own}
        graph[name] = edges
    return graph


def circles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan), and self-imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()

    def visit(start: str) -> None:
        # iterative, so that a deep chain of imports cannot exhaust Python's recursion
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    found.add(frozenset(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # a circle through an import inside a function counts
        (
            {"__init__.py": "", "a.py": "from pkg.b import f\n", "b.py": "def f():\n    from pkg import a\n"},
            {frozenset({"pkg.a", "pkg.b"})},
        ),
        # relative imports, and a circle of three
        (
            {
                "__init__.py": "",
                "a.py": "from .b import x\n",
                "b.py": "from . import c\n",
                "c.py": "import pkg.a\n",
            },
            {frozenset({"pkg.a", "pkg.b", "pkg.c"})},
        ),
        # importing a submodule runs its package's __init__, which may lead back
        (
            {
                "__init__.py": "",
                "a.py": "from pkg.sub.m import x\n",
                "sub/__init__.py": "from pkg.sub.n import y\n",
                "sub/m.py": "x = 1\n",
                "sub/n.py": "from pkg.a import z\n",
            },
            {frozenset({"pkg.a", "pkg.sub", "pkg.sub.n"})},
        ),
        # a package's __init__ importing its own submodules is no circle
        (
            {"__init__.py": "from pkg.a import x\n", "a.py": "from pkg.b import y\n", "b.py": "y = 1\n"},
            set(),
        ),
        # imports only for the type checker never run
        (
            {
                "__init__.py": "",
                "a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n",
                "b.py": "from pkg.a import A\n",
            },
            set(),
        ),
        # ... but the else branch of such an if does
        (
            {
                "__init__.py": "",
                "a.py": "import typing\nif typing.TYPE_CHECKING:\n    pass\nelse:\n    from pkg import b\n",
                "b.py": "from pkg.a import A\n",
            },
            {frozenset({"pkg.a", "pkg.b"})},
        ),
    ],
)
def test_the_checker_finds_circles(
    tmp_path: Path, files: dict[str, str], expected: set[frozenset[str]]
) -> None:
    assert circles(import_graph(write_package(tmp_path, files))) == expected


def test_thememine_has_no_import_circles() -> None:
    graph = import_graph()
    assert "thememine.themes.codebook" in graph  # the walk found the package's modules
    found = circles(graph)
    new = sorted(sorted(circle) for circle in found - KNOWN_CIRCLES)
    gone = sorted(sorted(circle) for circle in KNOWN_CIRCLES - found)
    assert not new, f"modules that import each other in a circle: {new}"
    assert not gone, f"these circles are gone: remove them from KNOWN_CIRCLES: {gone}"
