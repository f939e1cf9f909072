"""Why a lead scored what it did, in one or two sentences a new user can read."""

from __future__ import annotations

from typing import Any


def _pts(value: float) -> str:
    return f"{value:+.1f}".removesuffix(".0")


def score_in_words(score: dict[str, Any], *, most: int = 3) -> str:
    """The score's sum and the rules that moved it most, from the live explanation."""
    lines = score.get("lines", [])
    head = (
        f"It scores {score['total']:.1f}: fit {score['fit']:.1f} (grade {score['grade']})"
        f" plus engagement {score['engagement']:.1f}."
    )
    parts = [head]
    for section, lead in (("fit", "Fit comes from"), ("engagement", "Engagement comes from")):
        mine = sorted(
            (line for line in lines if line["section"] == section),
            key=lambda line: -abs(line["points"]),
        )
        if not mine:
            parts.append(f"No {section} rule fired.")
            continue
        named = [
            f"{line['label']} ({_pts(line['points'])}"
            + (f", {line['touches']} touches" if section == "engagement" else "")
            + ")"
            for line in mine[:most]
        ]
        rest = len(mine) - most
        parts.append(f"{lead} {', '.join(named)}" + (f" and {rest} more" if rest > 0 else "") + ".")
    negatives = [line for line in lines if line["section"] == "negative"]
    if negatives:
        parts.append(
            "Held back by "
            + ", ".join(f"{line['label']} ({_pts(line['points'])})" for line in negatives)
            + "."
        )
    if score.get("disqualify_reason"):
        parts.append(f"A negative rule disqualifies it: {score['disqualify_reason']}.")
    return " ".join(parts)
