"""Money shown one way everywhere: pages, commands and reports.

Whole units in the company's currency unless an amount has its own, rounded half up as
people expect on a report (``$1,234``); ``$12.3k`` where space is short; to the cent
(``$1,500.50``) for the hover text of a rounded amount. The company's currency is
``settings.REVLOOP_CURRENCY``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings

_STEPS = ((Decimal(1_000_000_000), "B"), (Decimal(1_000_000), "M"), (Decimal(10_000), "k"))
_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
NOTHING = "—"


def decimal_or_none(value: object) -> Decimal | None:
    """A finite Decimal from a number or numeric text; None for blanks and nonsense."""
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _whole(number: Decimal) -> str:
    return f"{number.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"


def _with_currency(text: str, negative: bool, currency: str | None) -> str:
    code = (currency or settings.REVLOOP_CURRENCY).upper()
    sign = "-" if negative else ""
    symbol = _SIGNS.get(code)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{code} {text}"


def compact(value: Decimal | int | float) -> str:
    """``939688500`` → ``939.7M``; below ten thousand the whole number with separators."""
    number = decimal_or_none(value) or Decimal(0)
    for step, suffix in _STEPS:
        if abs(number) >= step:
            divisor = Decimal(1000) if suffix == "k" else step
            return f"{number / divisor:,.1f}{suffix}"
    return _whole(number)


def money(value: Decimal | int | float | None, currency: str | None = None) -> str:
    """``1234.5`` → ``$1,235``: whole units, company currency unless given; none → ``—``."""
    number = decimal_or_none(value)
    if number is None:
        return NOTHING
    return _with_currency(_whole(abs(number)), number < 0, currency)


def money_short(value: Decimal | int | float | None, currency: str | None = None) -> str:
    """``12345`` → ``$12.3k``, for charts and headline cards; ``money`` below ten thousand."""
    number = decimal_or_none(value)
    if number is None:
        return NOTHING
    return _with_currency(compact(abs(number)), number < 0, currency)


def money_exact(value: Decimal | int | float | None, currency: str | None = None) -> str:
    """``1500.5`` → ``$1,500.50``: to the cent, for the hover text of a rounded amount."""
    number = decimal_or_none(value)
    if number is None:
        return NOTHING
    cents = abs(number).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return _with_currency(f"{cents:,}", number < 0, currency)
