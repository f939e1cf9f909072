"""Lift read from a CSV file: one row per person, a group column and outcome columns.

The file is read by the import reader (:mod:`revloop.engine.imports.reader`), so any
delimiter it sniffs and any encoding it reads will do. Columns are found by their
header as shown (case, surrounding and repeated spaces do not matter); the control
value likewise, when it matches no group exactly. Rows without a group are left out
and counted in the report's notes; a row the reader cannot read stops the analysis
with its row number, since leaving a person out of a randomised test is not neutral.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from revloop.engine.analytics.lift import (
    CONFIDENCE,
    FloatArray,
    Kind,
    LiftInputError,
    LiftReport,
    OutcomeError,
    compare_groups,
    parse_outcome,
)
from revloop.engine.imports.reader import CsvReader, normalize_header


def lift_from_csv(
    path: str | os.PathLike[str],
    *,
    group_column: str,
    control: str,
    outcomes: Sequence[str],
    delimiter: str | None = None,
    encoding: str = "utf-8",
    confidence: float = CONFIDENCE,
) -> LiftReport:
    """Each group's rate or mean per outcome and the lifts over ``control``."""
    if not outcomes:
        raise LiftInputError("name at least one outcome column")
    with CsvReader(path, delimiter=delimiter, encoding=encoding) as reader:
        header = list(reader.header)
        group_at = _column(header, group_column)
        outcome_at = [_column(header, name) for name in outcomes]
        if len(set(outcome_at)) != len(outcome_at):
            raise LiftInputError("an outcome column is named twice")
        if group_at in outcome_at:
            raise LiftInputError(f"{group_column!r} is the group column, not an outcome")
        groups: list[str] = []
        rows: list[int] = []
        cells: list[list[str]] = [[] for _ in outcome_at]
        ungrouped = 0
        for record in reader:
            if record.error is not None:
                raise LiftInputError(f"row {record.row}: {record.error.reason}")
            label = record.values[group_at].strip()
            if not label:
                ungrouped += 1
                continue
            groups.append(label)
            rows.append(record.row)
            for column, at in zip(cells, outcome_at, strict=True):
                column.append(record.values[at])
    if not groups:
        raise LiftInputError(f"no row has a value in {header[group_at]!r}")
    values: dict[str, FloatArray] = {}
    kinds: dict[str, Kind] = {}
    row_numbers = np.array(rows)
    for at, column in zip(outcome_at, cells, strict=True):
        name = header[at]
        kind, parsed = _parse(column, name, row_numbers)
        values[name], kinds[name] = parsed, kind
    notes = []
    if ungrouped:
        notes.append(f"rows with no {header[group_at]!r}, left out: {ungrouped}")
    return compare_groups(
        groups,
        values,
        _control(groups, control),
        kinds=kinds,
        confidence=confidence,
        notes=notes,
    )


def _parse(column: list[str], name: str, rows: np.ndarray) -> tuple[Kind, FloatArray]:
    try:
        return parse_outcome(column, name, first_row=0)
    except OutcomeError as exc:
        # parse_outcome counts positions; the file's own row numbers skip blank lines
        # and ungrouped rows, so translate back.
        raise OutcomeError(name, int(rows[exc.row]), exc.value, exc.reason) from None


def _column(header: list[str], wanted: str) -> int:
    key = normalize_header(wanted).casefold()
    for at, name in enumerate(header):
        if normalize_header(name).casefold() == key:
            return at
    shown = ", ".join(repr(name) for name in header)
    raise LiftInputError(f"no column {wanted!r} in the file (columns: {shown})")


def _control(groups: list[str], wanted: str) -> str:
    labels = set(groups)
    if wanted in labels:
        return wanted
    key = " ".join(wanted.split()).casefold()
    close = [label for label in labels if " ".join(label.split()).casefold() == key]
    if len(close) == 1:
        return close[0]
    shown = ", ".join(repr(label) for label in sorted(labels))
    raise LiftInputError(f"no row is in the control group {wanted!r} (groups: {shown})")
