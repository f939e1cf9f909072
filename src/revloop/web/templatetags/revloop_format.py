"""The one place numbers are formatted for pages: money, headline amounts and rates.

Money is always money: a currency sign (or code) and whole units, rounded half up as
people expect on a report (``$1,234``; ``$12.3k`` where space is short, exact on
hover). Amounts without a currency of their own (report totals) are in the company's
currency, ``settings.REVLOOP_CURRENCY``. A rate is always shown with what it divides:
``{% rate numerator denominator %}`` renders the percentage with "n of d" on hover.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils.html import format_html

register = template.Library()

_STEPS = ((Decimal(1_000_000_000), "B"), (Decimal(1_000_000), "M"), (Decimal(10_000), "k"))
_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
_NOTHING = "—"


def _decimal(value: object) -> Decimal | None:
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


@register.filter
def compact(value: Decimal | int | float) -> str:
    """``939688500`` → ``939.7M``; below ten thousand the whole number with separators."""
    number = _decimal(value) or Decimal(0)
    for step, suffix in _STEPS:
        if abs(number) >= step:
            divisor = Decimal(1000) if suffix == "k" else step
            return f"{number / divisor:,.1f}{suffix}"
    return _whole(number)


@register.filter
def money(value: Decimal | int | float | None, currency: str | None = None) -> str:
    """``1234.5`` → ``$1,235``: whole units, company currency unless given; none → ``—``."""
    number = _decimal(value)
    if number is None:
        return _NOTHING
    return _with_currency(_whole(abs(number)), number < 0, currency)


@register.filter
def money_short(value: Decimal | int | float | None, currency: str | None = None) -> str:
    """``12345`` → ``$12.3k``, for charts and headline cards; ``money`` below ten thousand."""
    number = _decimal(value)
    if number is None:
        return _NOTHING
    return _with_currency(compact(abs(number)), number < 0, currency)


@register.filter
def money_exact(value: Decimal | int | float | None, currency: str | None = None) -> str:
    """``1500.5`` → ``$1,500.50``: to the cent, for the hover text of a rounded amount."""
    number = _decimal(value)
    if number is None:
        return _NOTHING
    cents = abs(number).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return _with_currency(f"{cents:,}", number < 0, currency)


def _count(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _percent(top: Decimal, bottom: Decimal, digits: int) -> str:
    return _NOTHING if bottom == 0 else f"{top / bottom * 100:.{int(digits)}f}%"


@register.simple_tag
def rate_text(numerator: object, denominator: object, digits: int = 1) -> str:
    """The bare percentage, where markup cannot go (SVG text carries its own title)."""
    top, bottom = _decimal(numerator), _decimal(denominator)
    if top is None or bottom is None:
        return _NOTHING
    return _percent(top, bottom, digits)


@register.simple_tag
def rate(
    numerator: object,
    denominator: object,
    digits: int = 1,
    unit: str = "",
    of: str = "of",
) -> str:
    """The percentage ``numerator / denominator`` with both on hover and as data
    attributes; ``unit="money"`` shows them as money. Nothing to divide → ``—``."""
    top, bottom = _decimal(numerator), _decimal(denominator)
    if top is None or bottom is None:
        return _NOTHING
    shown = money if unit == "money" else _count
    hover = f"{shown(top)} {of} {shown(bottom)}"
    text = _percent(top, bottom, digits)
    return format_html(
        '<abbr class="rate" title="{}" data-numerator="{}" data-denominator="{}">{}</abbr>',
        hover,
        top,
        bottom,
        text,
    )
