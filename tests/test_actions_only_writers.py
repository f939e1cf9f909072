"""Actions are the only writers: a model of context X is written only in X's actions.

Every module in ``src/revloop`` is read with ``ast``. A write is ``.save()`` or
``.delete()`` on an instance whose model is known (built as ``Model(...)``, fetched
through ``Model.objects``, looped over from it, or annotated as ``Model``), and
``create``, ``get_or_create``, ``update_or_create``, ``update``, ``delete``,
``bulk_create`` or ``bulk_update`` on ``Model.objects`` or on a queryset built from it
(also through a variable). The model is named by the module's imports from
``revloop.<app>.models``; its context is that app. Such a write may appear only in the
app's ``actions.py`` (or ``actions/`` package), its migrations, and the short list
below, each entry with its reason.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import revloop

SOURCE = Path(revloop.__file__).parent

WRITES_ON_QUERYSETS = frozenset(
    {
        "create",
        "get_or_create",
        "update_or_create",
        "update",
        "delete",
        "bulk_create",
        "bulk_update",
    }
)
WRITES_ON_INSTANCES = frozenset({"save", "delete"})

#: (module path under src/revloop, model app) → why it may write outside the actions.
ALLOWED: Mapping[tuple[str, str], str] = {
    # The demo loader's bulk path: it seeds a whole company at once, every context.
    ("demo/seed.py", "*"): "the demo loader's bulk path",
    # A person's stage is the stage machine's: written with its transition record.
    ("lifecycle/actions.py", "people"): "the stage moves with its StageTransition",
    # Not domain state: a cache of computed reports, and the task queue's own leases.
    ("analytics/cache.py", "analytics"): "a report cache refreshed on read",
    ("worker/jobs.py", "worker"): "the queue's run records, written as it runs jobs",
    ("worker/schedule.py", "worker"): "the queue's claims on due schedules",
    ("users/throttle.py", "users"): "rate-limit buckets, taken on every throttled request",
}


@dataclass(frozen=True, slots=True)
class Write:
    path: str
    line: int
    model: str
    app: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: writes {self.app}.{self.model}"


def model_apps(root: Path = SOURCE) -> dict[str, str]:
    """Every model class name → the app whose models module defines it."""
    apps: dict[str, str] = {}
    for path in sorted(root.glob("*/models.py")) + sorted(root.glob("*/models/*.py")):
        app = path.relative_to(root).parts[0]
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                apps[node.name] = app
    return apps


def _imported_models(
    tree: ast.Module, models: Mapping[str, str]
) -> tuple[dict[str, str], set[str]]:
    """Local names bound to models (name → model class), and names bound to models modules."""
    names: dict[str, str] = {}
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("revloop.") and node.module.endswith(".models"):
                for alias in node.names:
                    if alias.name in models:
                        names[alias.asname or alias.name] = alias.name
            elif node.module.startswith("revloop"):
                for alias in node.names:
                    if alias.name == "models":
                        modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("revloop.") and alias.name.endswith(".models"):
                    modules.add(alias.asname or alias.name)
    return names, modules


class _Finder(ast.NodeVisitor):
    def __init__(
        self, path: str, models: Mapping[str, str], names: dict[str, str], modules: set[str]
    ) -> None:
        self.path = path
        self.models = models
        self.names = names
        self.modules = modules
        self.bound: dict[str, str] = {}  # variable → model (a queryset or an instance)
        self.writes: list[Write] = []

    def _model_of_name(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return self.names.get(node.id) or self.bound.get(node.id)
        if isinstance(node, ast.Attribute) and node.attr in self.models:
            # ``models.Person`` through an imported models module.
            value = node.value
            dotted = []
            while isinstance(value, ast.Attribute):
                dotted.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name):
                dotted.append(value.id)
                if ".".join(reversed(dotted)) in self.modules:
                    return node.attr
        if isinstance(node, ast.Subscript):
            return self._model_of_annotation(node)
        return None

    def _model_of_annotation(self, node: ast.expr | None) -> str | None:
        if node is None:
            return None
        for part in ast.walk(node):
            if isinstance(part, ast.Name) and part.id in self.names:
                return self.names[part.id]
            if isinstance(part, ast.Constant) and str(part.value) in self.names:
                return self.names[str(part.value)]
        return None

    def _model_of_chain(self, node: ast.expr) -> str | None:
        """The model a chain like ``Model.objects.filter(...).order_by(...)`` starts from."""
        while True:
            if isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Attribute):
                found = self._model_of_name(node)
                if found is not None:
                    return found
                node = node.value
            elif isinstance(node, ast.Subscript):
                node = node.value
            else:
                return self._model_of_name(node)

    def _record(self, node: ast.AST, model: str) -> None:
        self.writes.append(Write(self.path, getattr(node, "lineno", 0), model, self.models[model]))

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        saved = dict(self.bound)
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            model = self._model_of_annotation(arg.annotation)
            if model is not None:
                self.bound[arg.arg] = model
        self.generic_visit(node)
        self.bound = saved

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815 - the visitor's naming

    def _bind(self, target: ast.expr, value: ast.expr | None) -> None:
        if not isinstance(target, ast.Name) or value is None:
            return
        model = self._model_of_chain(value)
        if model is not None:
            self.bound[target.id] = model
        else:
            self.bound.pop(target.id, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        for target in node.targets:
            self._bind(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.generic_visit(node)
        model = self._model_of_annotation(node.annotation)
        if isinstance(node.target, ast.Name) and model is not None:
            self.bound[node.target.id] = model
        else:
            self._bind(node.target, node.value)

    def visit_For(self, node: ast.For) -> None:
        model = self._model_of_chain(node.iter)
        if isinstance(node.target, ast.Name) and model is not None:
            self.bound[node.target.id] = model
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in WRITES_ON_QUERYSETS | WRITES_ON_INSTANCES
        ):
            model = self._model_of_chain(func.value)
            if model is not None and (
                func.attr in WRITES_ON_INSTANCES or _through_manager(func.value, self)
            ):
                self._record(node, model)
        self.generic_visit(node)


def _through_manager(node: ast.expr, finder: _Finder) -> bool:
    """True for ``Model.objects…`` chains and for variables bound to one (a queryset or
    an instance: ``instance.delete()`` is a write too, and ``update`` on a dict is not
    bound to a model)."""
    if isinstance(node, ast.Name):
        return node.id in finder.bound
    text = ast.unparse(node)
    return ".objects" in text or "._default_manager" in text or "._base_manager" in text


def find_writes(source: str, path: str, models: Mapping[str, str]) -> list[Write]:
    tree = ast.parse(source)
    names, modules = _imported_models(tree, models)
    if path.endswith("models.py"):
        # A model's own methods write through ``self``; its module defines the names.
        names |= {name: name for name in models if models[name] == path.split("/", maxsplit=1)[0]}
    finder = _Finder(path, models, names, modules)
    finder.visit(tree)
    return finder.writes


def _owner_may_write(path: str, app: str) -> bool:
    parts = path.split("/")
    if parts[0] != app:
        return False
    return parts[1] in {"actions.py", "actions", "migrations"}


def violations(root: Path = SOURCE) -> Iterator[Write]:
    models = model_apps(root)
    for file in sorted(root.rglob("*.py")):
        path = file.relative_to(root).as_posix()
        if "/migrations/" in path:
            continue
        for write in find_writes(file.read_text(), path, models):
            if _owner_may_write(path, write.app):
                continue
            if (path, write.app) in ALLOWED or (path, "*") in ALLOWED:
                continue
            yield write


def test_only_actions_write_models() -> None:
    """Views, commands, receivers, tasks and admin actions call actions to write."""
    found = [str(write) for write in violations()]
    assert not found, "model writes outside their context's actions:\n" + "\n".join(found)


def test_every_allowed_entry_is_still_needed() -> None:
    """An allow-list entry for a module that no longer writes is removed, not kept."""
    models = model_apps()
    for (path, app), why in ALLOWED.items():
        assert why, path
        writes = find_writes((SOURCE / path).read_text(), path, models)
        assert any(app in {"*", write.app} for write in writes), f"{path} no longer writes {app}"


# The checker itself: it must see a planted write, and let an action's write pass.
_MODELS = {"Person": "people", "Assignment": "routing", "SlaClock": "routing"}


def _planted(source: str, path: str = "web/views.py") -> list[str]:
    return [
        f"{w.model}:{w.line}"
        for w in find_writes(textwrap.dedent(source), path, _MODELS)
        if not _owner_may_write(path, w.app)
    ]


def test_it_finds_a_planted_manager_write() -> None:
    source = """
        from revloop.routing.models import Assignment
        def view(request):
            Assignment.objects.filter(person_id=1).update(ended_at=None)
            Assignment.objects.create(person_id=1)
    """
    assert _planted(source) == ["Assignment:4", "Assignment:5"]


def test_it_finds_a_write_through_a_queryset_variable_and_an_instance() -> None:
    source = """
        from revloop.routing.models import SlaClock as Clock
        from revloop.people.models import Person
        def receiver(person: Person) -> None:
            running = Clock.objects.filter(stopped_at__isnull=True)
            running.update(stopped_at=None)
            person.save()
            for clock in Clock.objects.all():
                clock.delete()
    """
    assert _planted(source) == ["SlaClock:6", "Person:7", "SlaClock:9"]


def test_it_finds_a_write_through_the_models_module() -> None:
    source = """
        from revloop.routing import models
        def task():
            models.Assignment.objects.bulk_create([])
    """
    assert _planted(source) == ["Assignment:4"]


def test_it_lets_the_owning_actions_write_and_ignores_reads_and_dicts() -> None:
    source = """
        from revloop.routing.models import Assignment
        def do_assign_lead():
            Assignment.objects.create(person_id=1)
            counts = {}
            counts.update(a=1)
            Assignment.objects.filter(person_id=1).values("pk")
    """
    assert _planted(source, "routing/actions.py") == []
    assert _planted(source, "people/actions.py") == ["Assignment:4"]
