"""A goal's figures as people read them, for the command line and the pages."""

from __future__ import annotations

from typing import Any

from revloop.core.money import money

_MISSING = object()


def figure(goal: dict[str, Any], key: str = "", value: Any = _MISSING) -> str:
    """``goal[key]`` (or ``value``) in its unit: 1,234 · $30,000 · 45.0% · 38.5 days."""
    number = goal.get(key) if value is _MISSING else value
    if number is None:
        return "—"
    kind = goal["kind"]
    if kind == "money":
        return money(number, goal["currency"] or None)
    if kind == "rate":
        return f"{float(number) * 100:.1f}%"
    if kind == "mean":
        return f"{float(number):,.1f} days"
    return f"{float(number):,.0f}"


def describe(goal: dict[str, Any]) -> str:
    """One line: whose goal, what, how much, when."""
    target = figure(goal, "target")
    relative = goal.get("relative")
    if relative:
        change = relative["change"] * 100
        against = "the previous period" if relative["baseline"] == "previous" else "last year"
        base = figure(goal, value=relative["baseline_value"])
        target = f"{target} ({change:+.0f}% on {against}'s {base})"
    return f"{goal['owner']}: {goal['metric_label']} {target} in {goal['period']}"
