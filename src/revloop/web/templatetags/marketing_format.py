"""Formats for the Marketing page's report figures (money and rates: ``revloop_format``)."""

from __future__ import annotations

import math

from django import template

register = template.Library()


@register.filter
def days(value: float | None) -> str:
    """Days to one decimal; no value → ``-``."""
    return "-" if value is None else f"{value:.1f}"


@register.filter
def get(mapping: dict[str, object], key: str) -> object:
    """``mapping[key]`` in a template, ``None`` when absent."""
    return mapping.get(key)


@register.filter
def heat(share: float | None) -> int:
    """A share from 0 to 1 as one of eleven shading steps (``heat-0`` … ``heat-10``)."""
    if share is None or math.isnan(share):
        return 0
    return max(0, min(10, round(float(share) * 10)))
