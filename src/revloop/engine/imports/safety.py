"""CSV formula-injection defence for every CSV revloop writes (error files, exports).

A spreadsheet opening a CSV runs any cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (``=cmd|' /C calc'!A0`` launches a program through DDE, ``=HYPERLINK(...)``
leaks data), and a leading tab or carriage return can smuggle one past a naive check.
Following OWASP's CSV-injection guidance, such a cell is prefixed with a single quote
(``'``), which makes the spreadsheet show it as text; leading spaces are looked through,
since some spreadsheets trim them before evaluating.

One deliberate exception: a cell that is nothing but a number (``-42``, ``+3.5``,
``-1,234.50``, ``-1e5``) is written unchanged, so negative amounts stay numbers that
sum and sort. Digits, one sign, separators and an exponent cannot call a function or
reach another cell, so this opens no hole. Phone numbers such as ``+49 30 1234`` contain
spaces, are not plain numbers, and do get the quote.

:func:`restore_cell` undoes the prefix when a file revloop wrote (the error CSV) is
fixed by hand and imported again, so round trips do not accumulate quotes.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

TRIGGERS = frozenset("=+-@\t\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?$")


def neutralize_cell(value: object) -> str:
    """The text to write for ``value``: quote-prefixed when a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    first = text.lstrip(" ")[:1]
    if first in TRIGGERS and first and not _PLAIN_NUMBER.match(text.strip(" ")):
        return "'" + text
    return text


def neutralize_row(values: Iterable[object]) -> list[str]:
    return [neutralize_cell(v) for v in values]


def restore_cell(text: str) -> str:
    """Undo :func:`neutralize_cell` on a cell read back from a file revloop wrote."""
    if text[:1] == "'" and text[1:].lstrip(" ")[:1] in TRIGGERS and len(text) > 1:
        return text[1:]
    return text


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeCsvWriter:
    """``csv.writer`` that neutralises every cell; use it for every CSV revloop writes."""

    def __init__(self, handle: _Writable, **fmtparams: Any) -> None:
        self._writer = csv.writer(handle, **fmtparams)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow(neutralize_row(row))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
