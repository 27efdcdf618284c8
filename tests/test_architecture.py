"""The layering of ../shared/docs/design.md, kept by reading the imports.

Every module under claims/ is parsed with ``ast`` (nothing is imported, so a
broken module cannot hide an edge); every import counts, function-level ones
too, with relative imports resolved. The rules: no cycle between modules; the
engine imports neither Django nor the rest of claims; the faces (dashboard, API,
admin, commands) never import each other; the tasks import only the pipeline
service; no arrow points up a layer (one known exception, UPWARD); a submodule
never imports its own package (whose ``__init__`` re-exports the submodules).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What "no Django" means for the engine: Django and the frameworks built on it.
FRAMEWORKS = {"django", "rest_framework", "celery", "kombu", "knox", "django_filters"}
# The faces: each parses its own input and renders its own output.
FACES = {
    "the dashboard": ["claims.views", "claims.urls", "claims.forms", "claims.templatetags"],
    "the API": ["claims.api"],
    "the admin": ["claims.admin"],
    "the commands": ["claims.management"],
}
# The layers of design.md, top (faces) to bottom (engine). Modules not listed
# (apps, migrations, the package itself) are not ranked.
LAYERS = {
    "faces": [m for members in FACES.values() for m in members],
    "tasks": ["claims.tasks"],
    "services": [
        "claims.services",
        "claims.workflow",
        "claims.selectors",
        "claims.filters",
        "claims.ingest",
        "claims.notifications",
    ],
    "domain": [
        "claims.models",
        "claims.roles",
        "claims.domain",
        "claims.tokens",
        "claims.claimreview",
        "claims.markup",
    ],
    "engine": ["claims.analysis"],
}
RANK = {layer: rank for rank, layer in enumerate(reversed(LAYERS))}
# The one arrow up: ingest and re-analysis publish a run through
# claims.tasks.start_pipeline, after the commit. The tasks do not import it back.
UPWARD = {("claims.services.articles", "claims.tasks")}
# What the tasks call: none imports claims.tasks back (feeds are given the
# publisher of the article fetches, as the pipeline is). Webhook deliveries are
# queued through Celery's registry by task name (claims.services.webhook_delivery.
# DELIVER_TASK): the pipeline and the workflow emit events that publish them, so an
# import of claims.tasks there would close a circle tasks -> pipeline -> webhooks -> tasks.
TASK_SERVICES = {
    "claims.services.pipeline",
    "claims.services.feeds",
    "claims.services.webhook_delivery",
    "claims.notifications",
}


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


# --- Reading the imports -----------------------------------------------------------


def read_imports(root: Path, package: str = "claims") -> dict[str, set[str]]:
    """Each module under ``root/package`` -> the modules it imports: our own as
    their module name, anyone else's as its top-level package ("django")."""
    files = {_module_name(path, root): path for path in (root / package).rglob("*.py")}
    graph = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        targets = {_resolve(dotted, files) for dotted in _imported(tree, name, is_package)}
        graph[name] = targets - {name}
    return graph


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(tree: ast.AST, name: str, is_package: bool) -> Iterator[str]:
    for node in ast.walk(tree):  # walk: imports inside functions count too
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, name, is_package)
            # "from pkg import sub" imports the submodule pkg.sub, not pkg's own
            # names; _resolve falls back to pkg when pkg.sub is not a module.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = name.split(".") if is_package else name.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


def _resolve(dotted: str, modules) -> str:
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return parts[0]


# --- The rules ---------------------------------------------------------------------


def group_of(name: str, groups: dict[str, list[str]]) -> str | None:
    return next((g for g, members in groups.items() if any(within(name, m) for m in members)), None)


def forbidden(source: str, target: str) -> str | None:
    """Why ``source`` must not import ``target``, or None if it may."""
    ours_outside_engine = within(target, "claims") and not within(target, "claims.analysis")
    if within(source, "claims.analysis") and (target in FRAMEWORKS or ours_outside_engine):
        return "the engine imports no Django and no other claims module"
    faces = group_of(source, FACES), group_of(target, FACES)
    if None not in faces and faces[0] != faces[1]:
        return f"{faces[0]} and {faces[1]} never import each other"
    if source == "claims.tasks" and within(target, "claims") and target not in TASK_SERVICES:
        return (
            "the tasks import their services "
            "(pipeline, feeds, webhook deliveries, notifications), nothing else"
        )
    layers = group_of(source, LAYERS), group_of(target, LAYERS)
    upward = None not in layers and RANK[layers[0]] < RANK[layers[1]]
    if upward and (source, target) not in UPWARD:
        return f"an arrow points up, from {layers[0]} to {layers[1]}"
    if source != target and within(source, target):
        return "a submodule does not import its own package (the package imports it)"
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue  # someone else's package
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def violations(graph: dict[str, set[str]]) -> list[str]:
    found = [f"import cycle: {' <-> '.join(c)}" for c in cycles(graph)]
    for source in sorted(graph):
        for target in sorted(graph[source]):
            reason = forbidden(source, target)
            if reason:
                found.append(f"{source} imports {target}: {reason}")
    return found


# --- The tests ---------------------------------------------------------------------


def test_claims_keeps_its_layers():
    graph = read_imports(ROOT)
    # Not vacuous: the reader found the modules the rules are about.
    assert {"claims.tasks", "claims.services.pipeline", "claims.analysis.pipeline"} <= set(graph)
    assert "claims.services.pipeline" in graph["claims.tasks"]
    assert violations(graph) == []


def test_the_reader_sees_relative_and_function_level_imports(tmp_path):
    files = {
        "pkg/__init__.py": "from .a import f\n",
        "pkg/a.py": "import os\n\ndef f():\n    from . import b\n",
        "pkg/b.py": "from pkg.sub import c\nfrom django.db import models\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/c.py": "from .. import a\nfrom ..b import models\n",
    }
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    assert read_imports(tmp_path, "pkg") == {
        "pkg": {"pkg.a"},
        "pkg.a": {"os", "pkg.b"},
        "pkg.b": {"pkg.sub.c", "django"},
        "pkg.sub": set(),
        "pkg.sub.c": {"pkg.a", "pkg.b"},
    }


def test_a_cycle_is_reported():
    graph = {
        "claims.services.articles": {"claims.tasks"},
        "claims.tasks": {"claims.services.pipeline"},
        "claims.services.pipeline": {"claims.services.articles", "claims.models"},
        "claims.models": {"django"},
    }
    assert cycles(graph) == [
        ["claims.services.articles", "claims.services.pipeline", "claims.tasks"]
    ]
    assert any(v.startswith("import cycle") for v in violations(graph))


def test_a_package_that_reexports_its_submodules_is_no_cycle():
    graph = {
        "claims.services": {"claims.services.articles", "claims.services.pipeline"},
        "claims.services.articles": {"claims.services.pipeline", "claims.tasks"},
        "claims.services.pipeline": {"claims.models"},
        "claims.tasks": {"claims.services.pipeline"},
        "claims.models": {"django"},
    }
    assert violations(graph) == []


@pytest.mark.parametrize(
    "source, target",
    [
        ("claims.analysis.hedging", "django"),
        ("claims.analysis.pipeline", "claims.models"),
        ("claims.views.account", "claims.api.views"),
        ("claims.api.views", "claims.views._common"),
        ("claims.tasks", "claims.models"),
        ("claims.tasks", "claims.services.articles"),
        ("claims.services.articles", "claims.services"),
        ("claims.claimreview", "claims.workflow"),
        ("claims.models", "claims.services"),
        ("claims.workflow", "claims.tasks"),
        ("claims.admin", "claims.views.queue"),
        ("claims.management.commands.retag", "claims.admin"),
    ],
)
def test_a_forbidden_import_is_reported(source, target):
    graph = {source: {target}, target: set()}
    assert len(violations(graph)) == 1
