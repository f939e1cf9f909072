"""Layers you can see: every import in src/revloop goes down the layers, and no two apps
import each other, directly or round a longer loop.

The order (docs/architecture.md explains it), lowest first; an app may import from
its own layer and the ones below, never from a layer above:

    engine ← core ← users, worker, webhooks ← people, activity, capture
           ← contracts, catalog, lifecycle, scoring, predictions ← routing, feedback, pipeline
           ← analytics, goals ← web, api ← demo ← the project (settings, urls, wsgi, cli)

Imports are read with ``ast``, at module level and inside functions alike, so a lazy
import does not get round the rule.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

import revloop

SOURCE = Path(revloop.__file__).parent

LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(names.split())
    for names in (
        "engine",
        "core",
        # Platform services every context may use: accounts and roles, background tasks,
        # outgoing webhooks.
        "users worker webhooks",
        # What comes in: people and accounts, then what they did (touches, campaigns),
        # then the ways in. Touches point at people, so people never import activity.
        "people activity capture",
        # The signed documents (the lead contract, the offer catalog), the stage machine,
        # rule and predictive scores.
        "contracts catalog lifecycle scoring predictions",
        "routing feedback pipeline",
        # Reports over everything below, and the shared goals measured by them.
        "analytics goals",
        "web api",
        # The demo company seeds every context.
        "demo",
        # The Django project and the console script.
        "settings urls wsgi cli cli_help",
    )
)
RANK = {app: rank for rank, names in enumerate(LAYERS) for app in names}

#: Imports that go up on purpose: (importing module, imported app) → why. Keep it short.
ALLOWED_UPWARD: Mapping[tuple[str, str], str] = {}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path) -> Iterator[tuple[str, int]]:
    """Every ``revloop.*`` module that ``path`` imports, absolute or relative, anywhere."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names = [".".join([*base, *([node.module] if node.module else [])])]
            else:
                names = [node.module or ""]
            # ``from revloop import people`` imports the app itself (``__version__`` is
            # no app).
            if names == [root.name]:
                names = [
                    f"{root.name}.{alias.name}"
                    for alias in node.names
                    if (root / alias.name).is_dir() or (root / f"{alias.name}.py").is_file()
                ]
        else:
            continue
        for name in names:
            if name.startswith(f"{root.name}."):
                yield name, node.lineno


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def app_imports(root: Path) -> dict[str, dict[str, list[str]]]:
    """App → imported app → where (``module:line``), for every app of the package."""
    graph: dict[str, dict[str, list[str]]] = {}
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path, root)
        source = _app(module)
        if source is None:
            continue
        for imported, line in _imports(path, root):
            target = _app(imported)
            if target is not None and target != source:
                graph.setdefault(source, {}).setdefault(target, []).append(f"{module}:{line}")
    return graph


def upward_imports(graph: Mapping[str, Mapping[str, list[str]]]) -> list[str]:
    found = []
    for source, targets in graph.items():
        for target, places in targets.items():
            if RANK[target] <= RANK[source]:
                continue
            found += [
                f"{place} imports {target} (a layer above {source})"
                for place in places
                if (place.split(":")[0], target) not in ALLOWED_UPWARD
            ]
    return sorted(found)


def cycles(graph: Mapping[str, Mapping[str, list[str]]]) -> list[list[str]]:
    """The strongly connected sets of apps (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        for target in graph.get(app, {}):
            if target not in index:
                visit(target)
                low[app] = min(low[app], low[target])
            elif target in stack:
                low[app] = min(low[app], index[target])
        if low[app] == index[app]:
            members = []
            while True:
                member = stack.pop()
                members.append(member)
                if member == app:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for app in sorted(graph):
        if app not in index:
            visit(app)
    return sorted(found)


def test_every_app_has_a_layer() -> None:
    apps = {p.parent.name for p in SOURCE.glob("*/__init__.py")}
    modules = {p.stem for p in SOURCE.glob("*.py")} - {"__init__"}
    assert sorted((apps | modules) - set(RANK)) == []


def test_no_import_goes_up_a_layer() -> None:
    assert upward_imports(app_imports(SOURCE)) == []


def test_no_two_apps_import_each_other() -> None:
    assert cycles(app_imports(SOURCE)) == []


def test_the_allow_list_names_only_imports_that_exist() -> None:
    graph = app_imports(SOURCE)
    present = {
        (place.split(":")[0], target)
        for targets in graph.values()
        for target, places in targets.items()
        for place in places
    }
    assert sorted(set(ALLOWED_UPWARD) - present) == []


def _package(tmp_path: Path, files: Mapping[str, str]) -> Path:
    root = tmp_path / "revloop"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    for directory in [root, *root.rglob("*")]:
        if directory.is_dir():
            (directory / "__init__.py").touch()
    return root


@pytest.mark.parametrize(
    "text",
    [
        "from revloop.scoring.jobs import rescore_on_commit\n",
        "import revloop.scoring.jobs\n",
        "def later():\n    from revloop.scoring import jobs\n",
        "from ..scoring import jobs\n",
        "from revloop import scoring\n",
    ],
)
def test_the_check_sees_an_upward_import_in_any_form(tmp_path: Path, text: str) -> None:
    root = _package(tmp_path, {"capture/events.py": text, "scoring/jobs.py": ""})
    graph = app_imports(root)
    assert graph == {"capture": {"scoring": ["revloop.capture.events:" + str(text.count("\n"))]}}
    assert upward_imports(graph) == [
        f"revloop.capture.events:{text.count(chr(10))} imports scoring (a layer above capture)"
    ]


def test_the_check_sees_a_cycle_within_a_layer_and_round_a_loop(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "lifecycle/services.py": "from revloop.scoring import frames\n",
            "scoring/frames.py": "from revloop.contracts import versions\n",
            "contracts/versions.py": "from revloop.lifecycle import services\n",
            "routing/state.py": "from revloop.people import models\n",
        },
    )
    assert cycles(app_imports(root)) == [["contracts", "lifecycle", "scoring"]]


def test_the_check_allows_imports_down_and_across_a_layer(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "feedback/inbox.py": "from revloop.routing import state\nfrom revloop.core import x\n",
            "routing/state.py": "from revloop.people.models import Person\n",
        },
    )
    graph = app_imports(root)
    assert upward_imports(graph) == []
    assert cycles(graph) == []
