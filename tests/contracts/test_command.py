"""`revloop contract …`: one JSON document with --json, one-line reasons on failure."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from revloop.contracts.versions import active_version
from revloop.users.models import User
from tests.contract_helpers import WIDER, contract_text

pytestmark = pytest.mark.django_db


def run(*args: str) -> Any:
    out = StringIO()
    call_command("contract", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def text_of(*args: str) -> str:
    out = StringIO()
    call_command("contract", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def wider(tmp_path: Path) -> Path:
    path = tmp_path / "wider.yaml"
    path.write_text(WIDER)
    return path


def test_validate_accepts_the_shipped_contract(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(contract_text())
    assert run("validate", str(path)) == {"file": str(path), "valid": True, "errors": []}
    assert "is a valid contract" in text_of("validate", str(path))


def test_validate_names_every_error_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        contract_text(
            ("  min_grade: B\n", "  min_grade: Z\n"), ("no_touch_days: 90", "no_touch_days: -1")
        )
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match=r"2 errors in .*bad\.yaml"):
        call_command("contract", "validate", str(path), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["valid"] is False
    assert [e["path"] for e in data["errors"]] == ["mql.min_grade", "recycle.no_touch_days"]
    with pytest.raises(CommandError):
        call_command("contract", "validate", str(path), stdout=StringIO(), stderr=err)
    assert "bad.yaml:" in err.getvalue()
    with pytest.raises(CommandError, match="cannot read"):
        call_command("contract", "validate", str(tmp_path / "missing.yaml"))


def test_propose_approve_and_show(
    wider: Path, marketer: User, manager: User, act_as: Callable[[str], User]
) -> None:
    act_as("mia")
    draft = run("propose", str(wider), "--note", "more MQLs")
    assert (draft["number"], draft["status"], draft["proposed_by"], draft["base"]) == (
        2,
        "draft",
        "mia",
        1,
    )
    assert draft["missing_signatures"] == ["marketing", "sales_manager"]
    assert draft["diff"]["changes"][0]["path"] == "mql.min_grade"

    diff = run("diff", "1", "v2")
    assert (diff["from"], diff["to"], diff["counts"]) == (
        1,
        2,
        {"added": 0, "removed": 0, "changed": 1},
    )

    signed = run("approve", "2")
    assert (signed["activated"], signed["missing_signatures"]) == (False, ["sales_manager"])
    act_as("mona")
    done = run("approve", "2")
    assert done["activated"] is True
    assert done["rescored"] == 0

    listing = run("show")
    assert listing["active"] == 2
    assert [(v["number"], v["status"]) for v in listing["versions"]] == [
        (2, "active"),
        (1, "superseded"),
    ]
    detail = run("show", "2")
    assert [a["user"] for a in detail["approvals"]] == ["mia", "mona"]
    assert [e["kind"] for e in detail["events"]] == ["proposed", "activated"]
    assert detail["text"] == WIDER
    assert "~ mql.min_grade: B → C" in text_of("show", "2")
    assert "v2       active" in text_of("show")


def test_failures_are_one_line_reasons(
    wider: Path, rep: User, act_as: Callable[[str], User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVLOOP_TOKEN", "rl_0000_not-a-token")
    with pytest.raises(CommandError, match="REVLOOP_TOKEN is not a live full-access token"):
        call_command("contract", "propose", str(wider))
    act_as("rob")
    with pytest.raises(CommandError, match="may not propose a lead contract"):
        call_command("contract", "propose", str(wider))
    monkeypatch.delenv("REVLOOP_TOKEN")
    # Without a token, revloop itself proposes (the operator's run) but signs nothing.
    call_command("contract", "propose", str(wider), stdout=StringIO())
    with pytest.raises(CommandError, match="approving a contract is done by a person"):
        call_command("contract", "approve", "2")
    act_as("rob")
    with pytest.raises(CommandError, match="needs the role marketing or sales_manager;") as refused:
        call_command("contract", "approve", "2")
    assert refused.value.returncode == 3
    with pytest.raises(CommandError, match="there is no contract version 7"):
        call_command("contract", "show", "7")


def test_withdraw(wider: Path, marketer: User, act_as: Callable[[str], User]) -> None:
    act_as("mia")
    run("propose", str(wider))
    assert run("withdraw", "2") == {"version": 2, "status": "withdrawn"}
    assert active_version().number == 1
