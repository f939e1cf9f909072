"""The Marketing page's "content that misinformed" panel: the excess-rate report, with
the false sentence and the truth, the named assets first (``analytics.misinformed``)."""

from __future__ import annotations

from typing import Any

from revloop.analytics.misinformed import cached_misinformed_report

#: Assets shown below the named ones, for comparison.
_CONTEXT_ROWS = 5


def _points(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.1f} pts"


def _rate(part: int, whole: int) -> str:
    return "-" if not whole else f"{part / whole:.1%} ({part:,} of {whole:,})"


def _by_sentence(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per false sentence, with every truth it contradicts."""
    said: dict[str, dict[str, Any]] = {}
    for finding in findings:
        entry = said.setdefault(
            finding["sentence"], {"sentence": finding["sentence"], "truths": []}
        )
        if finding["truth"] not in entry["truths"]:
            entry["truths"].append(finding["truth"])
    return list(said.values())


def excess_by_asset(section: dict[str, Any]) -> dict[int, str]:
    """Each asset's excess rate as the content table shows it."""
    return {asset["asset_id"]: _points(asset["excess"]) for asset in section["report"]["assets"]}


def misinformed_section() -> dict[str, Any]:
    report = cached_misinformed_report(for_page=True)
    named = [a for a in report["assets"] if a["flagged"]]
    rest = [a for a in report["assets"] if not a["flagged"] and a["seen"]][:_CONTEXT_ROWS]
    rows = [
        {
            **asset,
            "excess_text": _points(asset["excess"]),
            "interval_text": "-"
            if asset["low"] is None
            else f"{asset['low'] * 100:+.1f} to {asset['high'] * 100:+.1f} pts",
            "seen_text": _rate(asset["seen_misinformed"], asset["seen"]),
            "unseen_text": _rate(asset["unseen_misinformed"], asset["unseen"]),
            "said": _by_sentence(asset["findings"]),
        }
        for asset in [*named, *rest]
    ]
    return {
        "report": report,
        "named": rows[: len(named)],
        "rest": rows[len(named) :],
        "threshold_text": _points(report["threshold"]),
    }
