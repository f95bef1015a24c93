"""The import arrows between the project's packages point one way, and docs/search.md names the search
library's real public face.

The rooms: `portal` is the site (settings, root URLs, site pages) and may import everything; the apps (kb,
tickets, agents, api, ocr) never import the site; `infra`, the shared infrastructure, imports nothing of the
site or the apps. No two modules and no two packages import each other in a circle.

Imports are read with `ast` from every module of the project packages, migrations aside (they are frozen
history). An import inside a function counts like one at the top of the module: deferring an import hides a
circle from Python, not from the design. Only imports under `if TYPE_CHECKING:` are left out, since they
never run.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from kb import search

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "infra", "kb", "tickets", "agents", "api", "ocr")
SITE = "portal"
INFRASTRUCTURE = "infra"
LIBRARY = "kb.search"

# What kb, the app that owns the search library, wires up from inside it: the library's models belong to
# kb's models module (so to kb's migrations), its admin to kb's admin.
LIBRARY_WIRING = {
    ("kb.models", "kb.search.models"),
    ("kb.admin", "kb.search.admin"),
}


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _project_module(name: str) -> str | None:
    """The project module an imported name lands in (`kb.search.normalize` → `kb.search`), or None."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _import_nodes(nodes) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in nodes:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _import_nodes(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _import_nodes(ast.iter_child_nodes(node))


def _imports(module: str, path: Path) -> set[str]:
    """The project modules `module` imports."""
    found = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                package = module if path.name == "__init__.py" else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}".rstrip(".")
            # `from kb.search import services` imports a module; `from kb.search import normalize` a name.
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        found.update(target for name in names if (target := _project_module(name)) and target != module)
    return found


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _arrows(*, source, target) -> list[str]:
    return sorted(f"{a} -> {b}" for a, imported in GRAPH.items() if source(a) for b in imported if target(b))


def _in(package: str):
    return lambda module: module == package or module.startswith(package + ".")


def test_the_graph_sees_the_project():
    assert {"kb.models", "kb.search", "kb.search.services", "tickets.models", "agents.selectors"} <= set(GRAPH)
    assert "kb.search" in GRAPH["tickets.search"]


def test_the_search_library_imports_no_app_and_not_the_site():
    outside = _arrows(source=_in(LIBRARY), target=lambda module: not _in(LIBRARY)(module))
    assert outside == []


def _upward_from_infrastructure() -> list[str]:
    return _arrows(source=_in(INFRASTRUCTURE), target=lambda module: not _in(INFRASTRUCTURE)(module))


def test_the_infrastructure_imports_nothing_of_the_site_or_the_apps():
    assert {"infra.masking", "infra.cache", "infra.audit", "infra.sms"} <= set(GRAPH)
    assert _upward_from_infrastructure() == []


def test_the_infrastructure_rule_sees_an_upward_import(monkeypatch):
    monkeypatch.setitem(GRAPH, "infra.cache", GRAPH["infra.cache"] | {"kb.models"})
    assert _upward_from_infrastructure() == ["infra.cache -> kb.models"]


def test_no_app_imports_the_site():
    assert "portal.urls" in GRAPH
    assert _arrows(source=lambda module: not _in(SITE)(module), target=_in(SITE)) == []


def test_the_photo_reader_imports_nothing_of_the_project():
    outside = _arrows(source=_in("ocr"), target=lambda module: not _in("ocr")(module))
    assert outside == []


def test_other_modules_use_the_photo_reader_through_its_public_face():
    inside = _arrows(source=lambda m: not _in("ocr")(m), target=lambda m: _in("ocr")(m) and m != "ocr")
    assert inside == []


def test_no_app_imports_the_staff_console():
    # portal, the site, may import every app (root URLs); the apps never import agents.
    upward = _arrows(source=lambda m: not _in("agents")(m) and not _in("portal")(m), target=_in("agents"))
    assert upward == []


def test_other_modules_use_the_search_library_through_its_public_face():
    inside = _arrows(source=lambda m: not _in(LIBRARY)(m), target=lambda m: _in(LIBRARY)(m) and m != LIBRARY)
    assert set(inside) - {f"{a} -> {b}" for a, b in LIBRARY_WIRING} == set()


def _cycles(graph: dict[str, set[str]] | None = None) -> list[frozenset[str]]:
    """Strongly connected components of more than one node (Tarjan's algorithm, iterative)."""
    graph = GRAPH if graph is None else graph
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
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
                if len(component) > 1:
                    cycles.append(frozenset(component))
    return cycles


def test_no_modules_import_each_other_in_a_circle():
    # None is allowed any more: the last one (notifications, notices, tasks) was cut this wave.
    assert [sorted(cycle) for cycle in _cycles()] == []


def _package_graph() -> dict[str, set[str]]:
    """Which top-level package imports which (`kb.search` counts as kb)."""
    packages: dict[str, set[str]] = {package: set() for package in PACKAGES}
    for module, imported in GRAPH.items():
        source = module.partition(".")[0]
        packages[source].update(target.partition(".")[0] for target in imported)
        packages[source].discard(source)
    return packages


def test_no_packages_import_each_other_in_a_circle():
    assert [sorted(cycle) for cycle in _cycles(_package_graph())] == []


def test_the_package_rule_sees_a_circle(monkeypatch):
    monkeypatch.setitem(GRAPH, "infra.cache", GRAPH["infra.cache"] | {"tickets.models"})
    assert [sorted(cycle) for cycle in _cycles(_package_graph())] == [["infra", "kb", "tickets"]]


def test_the_cycle_finder_finds_a_circle_through_a_deferred_import(monkeypatch):
    monkeypatch.setitem(GRAPH, "kb.access", GRAPH["kb.access"] | {"kb.models"})
    monkeypatch.setitem(GRAPH, "kb.models", GRAPH["kb.models"] | {"kb.access"})
    assert frozenset({"kb.access", "kb.models"}) in _cycles()


# --- docs/search.md -------------------------------------------------------------------------------


def _library_section() -> str:
    text = (ROOT / "docs" / "search.md").read_text(encoding="utf-8")
    return text.split("## Search as a library", 1)[1].split("\n## ", 1)[0]


def _called_public() -> set[str]:
    """The calls in the first column of the section's table: what the doc says the public face is."""
    names = set()
    for line in _library_section().splitlines():
        if line.startswith("|") and not set(line) <= set("|- "):
            names.update(re.findall(r"`([A-Za-z_]\w*)", line.split("|")[1]))
    return names


def test_every_call_the_search_doc_lists_is_exported():
    assert _called_public() - set(search.__all__) == set()


def test_every_exported_search_name_is_named_in_the_doc():
    named = set(re.findall(r"`([A-Za-z_]\w*)", _library_section()))
    assert set(search.__all__) - named == set()


def test_every_exported_search_name_exists():
    assert [name for name in search.__all__ if not hasattr(search, name)] == []
