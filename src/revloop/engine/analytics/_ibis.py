"""Ibis and PyArrow, seen by the type checker as ``Any``.

Neither ships type information, so their values are ``Any`` to mypy. Importing them
here, once, keeps the ignore comments in one place; the aliases below only document
what a value is meant to be.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import ibis as _ibis  # type: ignore[import-untyped]
import pyarrow as _pa  # type: ignore[import-untyped]
import pyarrow.csv as _pacsv  # type: ignore[import-untyped]

ibis: Any = _ibis
pa: Any = _pa
pacsv: Any = _pacsv

#: An ibis table expression.
Table: TypeAlias = Any
#: An ibis column or scalar expression.
Expr: TypeAlias = Any
#: A connected ibis backend.
Backend: TypeAlias = Any
#: A pyarrow Table.
ArrowTable: TypeAlias = Any

# Functions every engine has under its own name; ibis lacks a portable spelling for
# "microseconds since the epoch" (its microsecond extraction is missing on Spark and
# wrong on SQLite), so each engine's own function is called directly.
unix_micros: Any = ibis.udf.scalar.builtin(name="unix_micros", signature=(("timestamp",), "int64"))(
    lambda ts: None
)
epoch_us: Any = ibis.udf.scalar.builtin(name="epoch_us", signature=(("timestamp",), "int64"))(
    lambda ts: None
)


def null(dtype: str) -> Expr:
    """A typed NULL literal."""
    return ibis.null().cast(dtype)


def real(value: float) -> Expr:
    """A float64 literal that every engine reads as a double.

    ibis writes ``1.0`` bare, which PostgreSQL reads as NUMERIC: arithmetic on such
    literals alone stays NUMERIC and comes back as Decimal. A cast from text is typed
    everywhere, and parsing ``repr`` gives back exactly the same double.
    """
    return ibis.literal(repr(float(value))).cast("float64")
