"""The one place numbers are formatted for pages: money, headline amounts and rates.

Money is always money: a currency sign (or code) and whole units, rounded half up as
people expect on a report (``$1,234``; ``$12.3k`` where space is short, exact on
hover). Amounts without a currency of their own (report totals) are in the company's
currency, ``settings.REVLOOP_CURRENCY``. A rate is always shown with what it divides:
``{% rate numerator denominator %}`` renders the percentage with "n of d" on hover.
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html

from revloop.core.money import NOTHING, compact, decimal_or_none, money, money_exact, money_short

register = template.Library()

register.filter("compact", compact)
register.filter("money", money)
register.filter("money_short", money_short)
register.filter("money_exact", money_exact)


def _count(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _percent(top: Decimal, bottom: Decimal, digits: int) -> str:
    return NOTHING if bottom == 0 else f"{top / bottom * 100:.{int(digits)}f}%"


@register.filter
def percent(value: object, digits: int = 0) -> str:
    """A share with no count behind it (a target, a model's probability): ``0.456`` →
    ``46%``. A share of counted things goes through ``rate``, which shows its base."""
    share = decimal_or_none(value)
    if share is None:
        return NOTHING
    return _percent(share, Decimal(1), digits)


@register.simple_tag
def rate_text(numerator: object, denominator: object, digits: int = 1) -> str:
    """The bare percentage, where markup cannot go (SVG text carries its own title)."""
    top, bottom = decimal_or_none(numerator), decimal_or_none(denominator)
    if top is None or bottom is None:
        return NOTHING
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
    top, bottom = decimal_or_none(numerator), decimal_or_none(denominator)
    if top is None or bottom is None:
        return NOTHING
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
