"""Every rate a report gives, with the numerator and denominator it divides.

Reports keep their rate fields as they are; beside each ``<rate>`` this adds
``<rate>_numerator`` and ``<rate>_denominator`` (counts, or money for value shares), so
the API and the pages state what a percentage is a share of.
"""

from __future__ import annotations

from typing import Any


def _parts(row: dict[str, Any], name: str, numerator: float, denominator: float) -> None:
    row[f"{name}_numerator"] = numerator
    row[f"{name}_denominator"] = denominator


def funnel_rates(report: dict[str, Any]) -> dict[str, Any]:
    """Conversion and drop-off divide by the people whose outcome is known (converted +
    lost); the naive rate by everyone who entered the step."""
    for step in report.get("steps", []):
        if "converted" not in step or "lost" not in step:
            continue
        known = step["converted"] + step["lost"]
        _parts(step, "conversion_rate", step["converted"], known)
        _parts(step, "drop_off_rate", step["lost"], known)
        if "entered" in step:
            _parts(step, "naive_rate", step["converted"], step["entered"])
    return report


def _share_rows(rows: list[dict[str, Any]]) -> None:
    value = sum(float(row.get("value") or 0.0) for row in rows)
    conversions = sum(float(row.get("conversions") or 0.0) for row in rows)
    for row in rows:
        if "value_share" in row:
            _parts(row, "value_share", float(row.get("value") or 0.0), value)
        if "conversion_share" in row:
            _parts(row, "conversion_share", float(row.get("conversions") or 0.0), conversions)


def attribution_rates(report: dict[str, Any]) -> dict[str, Any]:
    """A label's share of value (and of conversions) divides by the credited total."""
    _share_rows(report.get("credit", []))
    comparison = report.get("comparison")
    if comparison:
        comparison_rates(comparison)
    return report


def comparison_rates(comparison: dict[str, Any]) -> dict[str, Any]:
    """Each model's share per label, over that model's credited total."""
    totals: dict[str, float] = {}
    for row in comparison.get("rows", []):
        for model, value in row.get("value", {}).items():
            totals[model] = totals.get(model, 0.0) + float(value or 0.0)
    for row in comparison.get("rows", []):
        row["share_denominator"] = {m: totals.get(m, 0.0) for m in row.get("value", {})}
        row["share_numerator"] = {m: float(v or 0.0) for m, v in row.get("value", {}).items()}
    return comparison
