"""The bounds every input is held to at the edge: amounts, look-backs, dates, text.

One place per kind. Each bound is a plain check (for forms, pages and services,
raising ``InvalidInputError`` that names the field) and an ``Annotated`` type built
on the same check for the API's schemas, so a value refused on one edge is refused
on all of them.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from revloop.core.errors import InvalidInputError

#: The money columns: ``DecimalField(max_digits=14, decimal_places=2)``.
MONEY_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2
MONEY_MAX = Decimal(10 ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES)) - Decimal("0.01")

#: A look-back window in days: at least one day, at most ten years.
LOOKBACK_MIN_DAYS = 1.0
LOOKBACK_MAX_DAYS = 3650.0

#: Free-form JSON (an event's properties) nests at most this deep.
MAX_JSON_DEPTH = 32

#: A row id: the database's 64-bit signed integer, from 1.
DB_ID_MAX = 2**63 - 1

#: Dates outside these years are typing mistakes, not business.
YEAR_MIN = 1900
YEAR_MAX = 2200


def check_amount(value: Decimal | str | int | float, field: str = "amount") -> Decimal:
    """A non-negative amount with at most two decimals that fits the money columns."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInputError(f"{field}: {value!r} is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInputError(f"{field}: {value!r} must be zero or more")
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInputError(f"{field}: {value!r} has more than two decimals")
    if amount > MONEY_MAX:
        raise InvalidInputError(f"{field}: {value!r} is more than the largest amount, {MONEY_MAX}")
    return amount.quantize(Decimal("0.01"))


def parse_id(text: str | int) -> int | None:
    """A row id from ASCII digits within the id range, else None.

    ``str.isdigit`` also takes "²" (which ``int`` refuses) and Arabic-Indic digits (which it
    reads as ASCII ones), and an id past 2**63 - 1 overflows the database; neither names a row.
    """
    if isinstance(text, int):
        return text if 1 <= text <= DB_ID_MAX else None
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= DB_ID_MAX else None


def check_lookback(value: float | str | None, field: str = "lookback_days") -> float | None:
    """Days of look-back between the bounds; None (or "", "none") means no limit."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    try:
        days = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{field}: {value!r} is not a number") from None
    if not LOOKBACK_MIN_DAYS <= days <= LOOKBACK_MAX_DAYS:  # NaN fails both comparisons
        raise InvalidInputError(
            f"{field}: {value!r} is not between {LOOKBACK_MIN_DAYS:g} and "
            f"{LOOKBACK_MAX_DAYS:g} days"
        )
    return days


def check_year(value: date, field: str = "date") -> date:
    """A date (or datetime) in the years the product deals in."""
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise InvalidInputError(
            f"{field}: {value.isoformat()} is outside the years {YEAR_MIN}-{YEAR_MAX}"
        )
    return value


def check_text(value: str, field: str = "text") -> str:
    """Text without NUL characters, which no database column should hold."""
    if "\x00" in value:
        raise InvalidInputError(f"{field}: contains a NUL character")
    return value


def check_json(value: Any, field: str = "properties") -> Any:
    """Free-form JSON that every database stores alike: finite numbers, no NUL, shallow.

    Walked with a stack, not recursion, so depth is no danger to the walk itself.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise InvalidInputError(f"{field}: {item} is not a finite number")
        if isinstance(item, str) and "\x00" in item:
            raise InvalidInputError(f"{field}: contains a NUL character")
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise InvalidInputError(f"{field}: nested deeper than {MAX_JSON_DEPTH} levels")
            children = list(item.values()) if isinstance(item, dict) else item
            if isinstance(item, dict):
                children.extend(item)  # the keys, which must be clean too
            stack.extend((child, depth + 1) for child in children)
    return value


def _pydantic(check: Any) -> Any:
    """The check as a pydantic validator: its message without the field (pydantic adds it)."""

    def validate(value: Any) -> Any:
        try:
            return check(value)
        except InvalidInputError as exc:
            raise ValueError(exc.message.split(": ", 1)[-1]) from None

    return validate


Money = Annotated[
    Decimal,
    Field(ge=0, le=MONEY_MAX, decimal_places=MONEY_DECIMAL_PLACES, allow_inf_nan=False),
    AfterValidator(_pydantic(check_amount)),
]
DbId = Annotated[int, Field(ge=1, le=DB_ID_MAX)]
JsonObject = Annotated[dict[str, Any], AfterValidator(_pydantic(check_json))]
LookbackDays = Annotated[
    float,
    Field(ge=LOOKBACK_MIN_DAYS, le=LOOKBACK_MAX_DAYS, allow_inf_nan=False),
]
BoundedDate = Annotated[date, AfterValidator(_pydantic(check_year))]
BoundedDateTime = Annotated[datetime, AfterValidator(_pydantic(check_year))]
CleanText = Annotated[
    str, BeforeValidator(_pydantic(lambda v: check_text(v) if isinstance(v, str) else v))
]
