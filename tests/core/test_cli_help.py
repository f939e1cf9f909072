"""`revloop` and `revloop --help` list revloop's own commands by task; Django's sit behind
`revloop django`."""

from __future__ import annotations

import pytest

from revloop.cli import main
from revloop.cli_help import GROUPS, own_commands


@pytest.mark.parametrize("argv", [[], ["--help"], ["-h"], ["help"]])
def test_it_lists_revloops_commands_grouped_by_task(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    main(argv)
    out = capsys.readouterr().out
    assert "Routing and SLAs:\n  route" in out
    assert "  contract      validate, propose, diff, approve, show and backtest versions" in out
    # Django's own commands are not listed one by one, only pointed to.
    assert "createsuperuser," in out
    assert "collectstatic" not in out
    assert "revloop django --help" in out


def test_every_command_appears_once_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    main([])
    lines = capsys.readouterr().out.splitlines()
    commands = own_commands()
    assert {"contract", "attribution", "demo", "route"} <= set(commands)
    for name in commands:
        assert sum(line.startswith(f"  {name} ") for line in lines) == 1, name
    named = [name for _, entries in GROUPS for name, _ in entries]
    assert len(named) == len(set(named))
    assert set(named) <= set(commands), set(named) - set(commands)


def test_django_commands_run_behind_revloop_django(capsys: pytest.CaptureFixture[str]) -> None:
    main(["django", "help"])
    out = capsys.readouterr().out
    assert "[auth]" in out
    assert "createsuperuser" in out
    main(["django", "check"])
    assert "no issues" in capsys.readouterr().out
    main(["check"])  # still works directly
    assert "no issues" in capsys.readouterr().out
