"""The engine stays framework-free: no module under revloop.engine imports Django."""

from __future__ import annotations

import ast
from pathlib import Path

import revloop.engine

ENGINE = Path(revloop.engine.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_engine_never_imports_django_or_the_apps() -> None:
    offenders = {}
    for path in sorted(ENGINE.rglob("*.py")):
        bad = {
            name
            for name in _imported_modules(path)
            if name.split(".")[0] in {"django", "ninja", "django_htmx"}
            or (name.startswith("revloop.") and not name.startswith("revloop.engine"))
        }
        if bad:
            offenders[str(path.relative_to(ENGINE))] = sorted(bad)
    assert offenders == {}


def test_the_check_sees_the_engine() -> None:
    assert (ENGINE / "vocabulary.py").exists()
