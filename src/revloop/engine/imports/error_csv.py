"""The error CSV written next to an import: the bad rows as they were, plus the reasons.

It has the input's header and one more column, ``revloop_errors``, so a user can fix the
cells in a spreadsheet and import the file again (the formats ignore that column).
Cells are neutralised against formula injection (:mod:`.safety`); the importer undoes
the quote prefix on the way back in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from revloop.engine.imports.formats import ERROR_COLUMN
from revloop.engine.imports.rows import RowFailure
from revloop.engine.imports.safety import SafeCsvWriter


def describe(failure: RowFailure) -> str:
    """One cell of text for all of a row's errors: ``row 7, Email: no @; ...``."""
    return "; ".join(str(error) for error in failure.errors)


class ErrorCsvWriter:
    """Append :class:`RowFailure` rows to an open text handle (newline="" as for csv)."""

    def __init__(self, handle: Any, header: Sequence[str], *, delimiter: str = ",") -> None:
        self.header = tuple(header)
        self.rows = 0
        self._writer = SafeCsvWriter(handle, delimiter=delimiter, lineterminator="\r\n")
        self._writer.writerow([*self.header, ERROR_COLUMN])

    def add(self, failure: RowFailure) -> None:
        cells = [failure.values.get(name, "") for name in self.header]
        self._writer.writerow([*cells, describe(failure)])
        self.rows += 1
