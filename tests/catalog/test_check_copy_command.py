"""`revloop check-copy` as a gate for content: 0 clean, 1 false claims, 2 bad input."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from revloop.catalog.actions import do_save_catalog
from revloop.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "copy_checks"
CATALOG = str(DATA / "catalog.yaml")


def run(*args: str) -> int:
    try:
        main(["check-copy", *args])
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


@pytest.fixture
def clean(tmp_path: Path) -> str:
    path = tmp_path / "clean.md"
    path.write_text("# Northwind Analytics\n\nStart a 14-day free trial. Cancel anytime.\n")
    return str(path)


def test_clean_copy_passes(clean: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(clean, "--catalog", CATALOG) == 0
    assert f"{clean}: clean" in capsys.readouterr().out


def test_false_claims_fail_the_gate_and_are_listed(
    clean: str, capsys: pytest.CaptureFixture[str]
) -> None:
    page = str(DATA / "files" / "d54_promo.html")
    assert run(clean, page, "--catalog", CATALOG) == 1
    out, err = capsys.readouterr()
    assert "[free_shipping]" in out
    assert "[money_back]" in out
    assert "truth: Shipping is charged at cost on every hardware order." in out
    assert err.strip().endswith("2 false claims in 1 of 2 file(s)")


def test_json_is_one_document_even_when_the_gate_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    eml = str(DATA / "files" / "d56_offer.eml")
    assert run(eml, "--catalog", CATALOG, "--json") == 1
    document = json.loads(capsys.readouterr().out)
    (result,) = document["files"]
    assert result["format"] == "eml"
    assert {f["fact"] for f in result["findings"]} == {"free_trial", "unlimited_users"}
    finding = result["findings"][0]
    assert set(finding) >= {"fact", "start", "end", "sentence", "truth", "rewrite"}


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("missing.txt", "--catalog", CATALOG), "cannot read missing.txt"),
        (("{clean}", "--catalog", "missing.yaml"), "cannot read missing.yaml"),
        (("{clean}", "--catalog", "{bad}"), "invalid catalog: bad.yaml:1 products: is required"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    args: tuple[str, ...],
    reason: str,
    clean: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("company: Northwind\n")
    filled = [a.format(clean=clean, bad=bad) for a in args]
    assert run(*filled) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert reason in err


@pytest.mark.django_db
def test_without_a_catalog_file_it_uses_the_active_one(clean: str, tmp_path: Path) -> None:
    # call_command, not the console script: that one closes the test's connection.
    with pytest.raises(CommandError, match="no offer catalog has been saved yet") as raised:
        call_command("check-copy", clean)
    assert raised.value.returncode == 2
    do_save_catalog((DATA / "catalog.yaml").read_text(), by=None)
    promo = tmp_path / "promo.txt"
    promo.write_text("Every Edge Gateway comes with a lifetime warranty.")
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("check-copy", str(promo), "--json", stdout=out)
    assert raised.value.returncode == 1
    document = json.loads(out.getvalue())
    assert document["catalog"] == "v1"
    assert document["files"][0]["findings"][0]["fact"] == "warranty"
