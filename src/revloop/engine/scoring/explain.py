"""Why a person scored what they scored, one line per rule that fired.

The lines add up exactly to the score (see ``decay``): fit and negative lines to
``fit``, engagement lines to ``engagement``, all of them to ``total``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from revloop.engine.contract.schema import GRADES
from revloop.engine.scoring.decay import on_grid_scalar
from revloop.engine.scoring.inputs import NO_TIME
from revloop.engine.scoring.result import ScoreResult, from_micros


class Section(StrEnum):
    FIT = "fit"
    NEGATIVE = "negative"
    ENGAGEMENT = "engagement"


@dataclass(frozen=True)
class RuleLine:
    """One rule that fired. ``points`` is what it adds to the score.

    For engagement rules ``base_points`` is points times touches before decay,
    ``decayed_points`` the sum after decay and before the cap; for fit and negative
    rules all three are the rule's points.
    """

    section: Section
    rule_id: str
    label: str
    points: float
    base_points: float
    decayed_points: float
    touches: int = 0
    cap: float | None = None
    cap_hit: bool = False
    disqualifies: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class MqlCheck:
    """One condition of the MQL rule, as it stands for this person."""

    name: str
    value: str
    threshold: str
    passed: bool


@dataclass(frozen=True)
class Explanation:
    person_id: int
    now: dt.datetime
    fit: float
    grade: str
    engagement: float
    total: float
    mql_eligible: bool
    disqualify_reason: str | None
    last_touch_at: dt.datetime | None
    lines: tuple[RuleLine, ...]
    checks: tuple[MqlCheck, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (for ``revloop explain --json`` and the API)."""
        data = asdict(self)
        data["now"] = self.now.isoformat()
        data["last_touch_at"] = self.last_touch_at.isoformat() if self.last_touch_at else None
        data["lines"] = [asdict(line) | {"section": line.section.value} for line in self.lines]
        data["checks"] = [asdict(check) for check in self.checks]
        return data

    def render(self) -> str:
        head = (
            f"Score {_pts(self.total)} = fit {_pts(self.fit)} (grade {self.grade})"
            f" + engagement {_pts(self.engagement)}, as of {self.now:%Y-%m-%d %H:%M %Z}"
        )
        out = [head]
        for section in Section:
            lines = [line for line in self.lines if line.section is section]
            if lines:
                out.append(f"{section.value.capitalize()}:")
                out.extend(f"  {_signed(line.points):>8}  {_describe(line)}" for line in lines)
        verdict = "yes" if self.mql_eligible else "no"
        checks = "; ".join(
            f"{c.name} {c.value} {'≥' if c.passed else '<'} {c.threshold}" for c in self.checks
        )
        if self.disqualify_reason is not None:
            checks = f"disqualified: {self.disqualify_reason}" + (f"; {checks}" if checks else "")
        out.append(f"MQL eligible: {verdict}" + (f" ({checks})" if checks else ""))
        return "\n".join(out)


def explain(result: ScoreResult, person_id: int) -> Explanation:
    """The explanation of one person's scores in ``result`` (``KeyError`` if absent)."""
    row = result.row(person_id)
    scoring = result.contract.scoring
    lines: list[RuleLine] = []
    for column, rule in enumerate(scoring.fit):
        if result.fit_fired[row, column]:
            points = on_grid_scalar(rule.points)
            lines.append(RuleLine(Section.FIT, rule.id, rule.label, points, points, points))
    for column, negative in enumerate(scoring.negative):
        if result.negative_fired[row, column]:
            points = on_grid_scalar(negative.points)
            lines.append(
                RuleLine(
                    Section.NEGATIVE,
                    negative.id,
                    negative.label,
                    points,
                    points,
                    points,
                    disqualifies=negative.disqualify,
                    reason=negative.reason,
                )
            )
    for column, engagement in enumerate(scoring.engagement):
        touches = int(result.touch_count[row, column])
        if touches:
            decayed = float(result.decayed[row, column])
            points = float(result.engagement_points[row, column])
            lines.append(
                RuleLine(
                    Section.ENGAGEMENT,
                    engagement.id,
                    engagement.label,
                    points,
                    on_grid_scalar(engagement.points) * touches,
                    decayed,
                    touches=touches,
                    cap=engagement.cap,
                    cap_hit=points != decayed,
                )
            )
    grade = GRADES[int(result.grade[row])]
    disqualify = int(result.disqualify_rule[row])
    last = int(result.last_touch_us[row])
    return Explanation(
        person_id=person_id,
        now=result.now,
        fit=float(result.fit[row]),
        grade=grade,
        engagement=float(result.engagement[row]),
        total=float(result.total[row]),
        mql_eligible=bool(result.mql_eligible[row]),
        disqualify_reason=scoring.negative[disqualify].reason if disqualify >= 0 else None,
        last_touch_at=None if last == NO_TIME else from_micros(last),
        lines=tuple(lines),
        checks=_checks(result, row, grade),
    )


def _checks(result: ScoreResult, row: int, grade: str) -> tuple[MqlCheck, ...]:
    rule = result.contract.mql
    numeric = (
        ("engagement", rule.min_engagement, float(result.engagement[row])),
        ("fit", rule.min_fit, float(result.fit[row])),
        ("total", rule.min_total, float(result.total[row])),
    )
    checks = [
        MqlCheck(name, _pts(value), _pts(minimum), value >= minimum)
        for name, minimum, value in numeric
        if minimum is not None
    ]
    if rule.min_grade is not None:
        passed = GRADES.index(grade) <= GRADES.index(rule.min_grade)
        checks.append(MqlCheck("grade", grade, rule.min_grade, passed))
    return tuple(checks)


def _pts(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "") + _pts(value)


def _describe(line: RuleLine) -> str:
    text = f"{line.label} [{line.rule_id}]"
    if line.section is Section.ENGAGEMENT:
        noun = "touch" if line.touches == 1 else "touches"
        text += (
            f": {line.touches} {noun}, {_pts(line.base_points)} before decay,"
            f" {_pts(line.decayed_points)} after"
        )
        if line.cap_hit and line.cap is not None:
            text += f", capped at {_pts(line.cap)}"
    if line.disqualifies:
        text += f" — disqualifies ({line.reason})"
    return text
