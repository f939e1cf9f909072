"""`revloop lift --csv`: a randomised test read from a file finds the lifts planted in it."""

from __future__ import annotations

import json
import random
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.analytics.lift_fixtures import ARMS, CONTROL, expected, hillstrom_like, truth, write_csv

OUTCOMES = ("visit", "conversion", "spend")


def _run(*args: str) -> str:
    out = StringIO()
    call_command("lift", *args, stdout=out)
    return out.getvalue()


def _lift_json(path: Path, *extra: str) -> dict[str, Any]:
    args = ["--csv", str(path), "--group-column", "segment", "--control", CONTROL]
    for outcome in OUTCOMES:
        args += ["--outcome", outcome]
    return json.loads(_run(*args, *extra, "--json"))


def _outcome(found: dict[str, Any], name: str) -> dict[str, Any]:
    return next(o for o in found["outcomes"] if o["outcome"] == name)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return hillstrom_like()


@pytest.fixture
def hillstrom(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    return write_csv(rows, tmp_path / "hillstrom_like.csv")


def test_the_womens_email_lifts_visits_from_10_6_to_15_1_percent(hillstrom: Path) -> None:
    found = _lift_json(hillstrom)
    assert found["design"] == "randomised"
    assert [g["group"] for g in found["groups"]] == [CONTROL, "Mens E-Mail", "Womens E-Mail"]
    visit = _outcome(found, "visit")
    groups = {g["group"]: g for g in visit["groups"]}
    assert (groups[CONTROL]["numerator"], groups[CONTROL]["denominator"]) == (424, 4000)
    assert groups[CONTROL]["rate"] == pytest.approx(0.106)
    assert groups["Womens E-Mail"]["rate"] == pytest.approx(0.151)
    women = next(lift for lift in visit["lifts"] if lift["group"] == "Womens E-Mail")
    assert women["control"] == CONTROL
    assert women["relative"] == pytest.approx(0.4245, abs=1e-4)
    assert women["p_value"] < 1e-6
    assert women["test"] == "two-proportion z-test"


@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("arm", ARMS[:2])
def test_every_estimate_is_the_planted_lift_and_its_interval_covers_it(
    hillstrom: Path, outcome: str, arm: str
) -> None:
    found = _outcome(_lift_json(hillstrom), outcome)
    assert found["kind"] == ("mean" if outcome == "spend" else "rate")
    figure = next(g for g in found["groups"] if g["group"] == arm)
    assert figure["mean" if outcome == "spend" else "rate"] == pytest.approx(expected(outcome, arm))
    lift = next(lift for lift in found["lifts"] if lift["group"] == arm)
    known = truth(outcome, arm)
    assert lift["absolute"] == pytest.approx(known.absolute, abs=1e-9)
    assert lift["relative"] == pytest.approx(known.relative, rel=1e-6)
    assert lift["absolute_low"] < known.absolute < lift["absolute_high"]
    assert lift["relative_low"] < known.relative < lift["relative_high"]


def test_delimiter_bom_yes_no_and_row_order_do_not_change_the_answer(
    tmp_path: Path, hillstrom: Path, rows: list[dict[str, str]]
) -> None:
    shuffled = [dict(row) for row in rows]
    random.Random(4).shuffle(shuffled)
    for row in shuffled:
        row["visit"] = "Yes" if row["visit"] == "1" else "no"
        row["conversion"] = "TRUE" if row["conversion"] == "1" else "false"
    other = write_csv(shuffled, tmp_path / "export.csv", delimiter=";", encoding="utf-8-sig")
    first, second = _lift_json(hillstrom), _lift_json(other)
    first.pop("source")
    second.pop("source")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_the_table_shows_rates_with_their_counts_and_lifts_with_intervals(hillstrom: Path) -> None:
    text = _run(
        "--csv", str(hillstrom), "--group-column", "SEGMENT", "--control", "no e-mail",
        "--outcome", "visit",
    )  # fmt: skip
    assert "Randomised: each group against the control group 'No E-Mail'" in text
    assert "10.60% (424/4,000)" in text
    assert "+4.50 pts [+3.04 pts, +5.97 pts]" in text
    assert "+42.5% [+26.8%, +60.0%]" in text


def test_a_control_with_no_visits_has_no_relative_lift(tmp_path: Path) -> None:
    path = tmp_path / "tiny.csv"
    path.write_text("arm,clicked\nA,0\nA,0\nB,1\nB,0\nB,1\n")
    found = json.loads(
        _run("--csv", str(path), "--group-column", "arm", "--control", "A",
             "--outcome", "clicked", "--json")
    )  # fmt: skip
    lift = found["outcomes"][0]["lifts"][0]
    assert lift["relative"] is None
    assert lift["relative_reason"] == "the control rate is 0: a relative lift is undefined"
    assert "A: only 2 rows, the interval is rough" in lift["warnings"]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("g,v\nA,1\n", "--group-column grp --outcome v", r"no column 'grp' .*: 'g', 'v'\)"),
        ("g,v\nA,1\nB,0\n", "--group-column g --outcome v --control C", r"'C' \(groups: 'A', 'B'"),
        ("g,v\nA,1\nB,lots\n", "--group-column g --outcome v", r"row 3, v: neither a number"),
        ("g,v\nA,1\n", "--group-column g", r"--csv needs --outcome"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_reason(
    tmp_path: Path, content: str, args: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    given = args.split()
    if "--control" not in given:
        given += ["--control", "A"]
    with pytest.raises(CommandError, match=message):
        _run("--csv", str(path), *given)


def test_a_bad_value_is_named_by_its_row_in_the_file(tmp_path: Path) -> None:
    # A blank line and a row with no group come before it: the row is still the file's.
    path = tmp_path / "gaps.csv"
    path.write_text("g,v\nA,1\n\n,1\nB,0\nB,maybe\n")
    with pytest.raises(CommandError, match=r"^row 6, v: neither a number .*'maybe'"):
        _run("--csv", str(path), "--group-column", "g", "--control", "A", "--outcome", "v")


def test_rows_without_a_group_are_left_out_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "ungrouped.csv"
    path.write_text("g,v\nA,1\n,1\nB,0\n")
    found = json.loads(
        _run("--csv", str(path), "--group-column", "g", "--control", "A", "--outcome", "v",
             "--json")
    )  # fmt: skip
    assert found["notes"] == ["rows with no 'g', left out: 1"]
    assert [g["rows"] for g in found["groups"]] == [1, 1]
