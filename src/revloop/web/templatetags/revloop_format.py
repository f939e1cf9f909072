"""Number formats for headline figures: short to read, exact on hover."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()

_STEPS = ((Decimal(1_000_000_000), "B"), (Decimal(1_000_000), "M"), (Decimal(10_000), "k"))


@register.filter
def compact(value: Decimal | int | float) -> str:
    """``939688500`` → ``939.7M``; below ten thousand the whole number with separators."""
    number = Decimal(value)
    for step, suffix in _STEPS:
        if abs(number) >= step:
            divisor = Decimal(1000) if suffix == "k" else step
            return f"{number / divisor:,.1f}{suffix}"
    # Money rounds half up, as people expect on a report (format() would round half even).
    return f"{number.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
