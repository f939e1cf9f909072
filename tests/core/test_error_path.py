"""One error path: a domain error (or an engine's refusal of its input) is answered the
same way wherever it surfaces — a command as one line and the error's exit code, the
API as ``{code, message}`` with its status, a page with its status — and no command
or view translates it itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from revloop.core.errors import (
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    RevloopError,
    as_domain_error,
)
from revloop.engine.analytics.lift import LiftInputError
from revloop.engine.errors import EngineInputError
from revloop.engine.imports import CsvFileError

SRC = Path(__file__).resolve().parents[2] / "src" / "revloop"


def test_an_engine_refusal_is_invalid_input_with_its_own_message() -> None:
    error = as_domain_error(CsvFileError("the file is empty"))
    assert isinstance(error, InvalidInputError)
    assert (error.message, error.status, error.exit_code) == ("the file is empty", 400, 2)


def test_a_domain_error_is_itself_and_anything_else_is_no_domain_error() -> None:
    refused = ForbiddenError("not yours")
    assert as_domain_error(refused) is refused
    assert as_domain_error(KeyError("x")) is None
    assert as_domain_error(ValueError("a bug, not bad input")) is None


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["restore", "{tmp}/missing.bak"], InvalidInputError.exit_code, "no backup file at"),
        (["token", "revoke", "nosuchprefix"], NotFoundError.exit_code, "no active token"),
        (["import", "people", "{tmp}/empty.csv"], InvalidInputError.exit_code, "empty"),
        (
            [
                "lift",
                "--csv",
                "{tmp}/lift.csv",
                "--group-column",
                "grp",
                "--outcome",
                "v",
                "--control",
                "A",
            ],
            InvalidInputError.exit_code,
            "no column 'grp'",
        ),
    ],
)
@pytest.mark.django_db
def test_a_command_stops_with_the_errors_exit_code_and_one_line(
    tmp_path: Path, args: list[str], exit_code: int, message: str
) -> None:
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "lift.csv").write_text("g,v\nA,1\nB,0\n")
    with pytest.raises(CommandError, match=message) as raised:
        call_command(*[a.format(tmp=tmp_path) for a in args])
    assert raised.value.returncode == exit_code
    assert "\n" not in str(raised.value)


def _translations(tree: ast.AST) -> list[int]:
    """Lines of ``except <domain error>: raise CommandError/PermissionDenied/Http404``."""
    found = []
    for handler in ast.walk(tree):
        if not isinstance(handler, ast.ExceptHandler):
            continue
        raised = [n for n in ast.walk(handler) if isinstance(n, ast.Raise) and n.exc]
        for node in raised:
            call = node.exc
            name = call.func if isinstance(call, ast.Call) else call
            if isinstance(name, ast.Name) and name.id in {
                "CommandError",
                "PermissionDenied",
                "Http404",
            }:
                found.append(handler.lineno)
    return found


#: Where a command still turns an error into its own exit code, and why.
OWN_EXIT_CODES = {
    # check-copy's exit codes are its contract with CI scripts: 1 = false claims found,
    # 2 = could not check (no catalog, unreadable file), whatever the cause.
    "catalog/management/commands/check-copy.py",
    # Arguments that name a missing user or a file the command reads itself.
    "users/management/commands/token.py",
}


def test_no_command_or_view_translates_domain_errors_itself() -> None:
    domain = {
        cls.__name__ for cls in (RevloopError, InvalidInputError, NotFoundError, ForbiddenError)
    } | {"EngineInputError", "CsvFileError", "FormatError", "LiftInputError", "OutcomeError"}
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("engine/") or rel in OWN_EXIT_CODES:
            continue
        if not ("management/commands/" in rel or rel.startswith("web/")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for handler in ast.walk(tree):
            if not isinstance(handler, ast.ExceptHandler) or handler.type is None:
                continue
            caught = {n.id for n in ast.walk(handler.type) if isinstance(n, ast.Name)} | {
                n.attr for n in ast.walk(handler.type) if isinstance(n, ast.Attribute)
            }
            if caught & domain and handler.lineno in _translations(handler):
                offenders.append(f"{rel}:{handler.lineno} catches {sorted(caught & domain)}")
    assert not offenders, "\n".join(offenders)


def test_every_engine_refusal_shares_the_one_base() -> None:
    assert issubclass(CsvFileError, EngineInputError)
    assert issubclass(LiftInputError, EngineInputError)
