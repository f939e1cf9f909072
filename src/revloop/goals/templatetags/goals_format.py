"""Template filters for goals: a figure in the goal's unit, a status as words."""

from __future__ import annotations

from typing import Any

from django import template

from revloop.goals.format import describe, figure

register = template.Library()

_STATUS = {"ahead": "Ahead", "on_track": "On track", "at_risk": "At risk", "behind": "Behind"}


@register.filter
def goal_figure(goal: dict[str, Any], key: str) -> str:
    return figure(goal, key)


@register.filter
def goal_value(goal: dict[str, Any], value: Any) -> str:
    return figure(goal, value=value)


@register.filter
def goal_line(goal: dict[str, Any]) -> str:
    return describe(goal)


@register.filter
def status_label(status: str) -> str:
    return _STATUS.get(status, status)


@register.filter
def share_percent(goal: dict[str, Any]) -> int:
    """How far the actual is towards the target, 0 to 100, for the progress bar."""
    actual, target = goal.get("actual"), goal.get("target")
    if actual is None or not target:
        return 0
    if not goal["higher_is_better"]:
        return 100 if float(actual) <= float(target) else round(100 * float(target) / float(actual))
    return max(0, min(100, round(100 * float(actual) / float(target))))


@register.filter
def signed_percent(change: float | None) -> str:
    return "" if change is None else f"{float(change) * 100:+.0f}%"
