"""Pipeline health per rep and per team, now and at the start of past quarters.

Health is the share of a rep's open pipeline value that is not in suspect deals (see
``suspect_checks``): 100 when nothing is suspect, 0 when all of it is. Each score
states its numerator and denominator. Past points judge the pipeline as it stood
then, with the history known then (bursts and stage times measured up to that day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from revloop.engine.contract.schema import PipelineChecks
from revloop.engine.pipeline.burst import bursts, quarter_label, quarter_start
from revloop.engine.pipeline.checks import CheckResult, check_pipeline, stage_times
from revloop.engine.pipeline.data import UTC_US, PipelineData
from revloop.engine.pipeline.state import open_at


@dataclass(frozen=True)
class Health:
    #: ``rep`` (owner id) or ``team`` name.
    key: str
    at: dt.datetime
    label: str
    open_deals: int
    suspect_deals: int
    flagged_deals: int
    open_amount: float
    suspect_amount: float

    @property
    def score(self) -> float | None:
        if self.open_amount <= 0:
            return None
        return round(100.0 * (1.0 - self.suspect_amount / self.open_amount), 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "label": self.label,
            "score": self.score,
            "numerator": round(self.open_amount - self.suspect_amount, 2),
            "denominator": round(self.open_amount, 2),
            "open_deals": self.open_deals,
            "suspect_deals": self.suspect_deals,
            "flagged_deals": self.flagged_deals,
            "suspect_amount": round(self.suspect_amount, 2),
        }


@dataclass(frozen=True)
class HealthReport:
    #: Owner id → points, oldest first (the last is now).
    reps: dict[int, list[Health]]
    teams: dict[str, list[Health]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "reps": [
                {"owner_id": owner, "trend": [h.as_dict() for h in points]}
                for owner, points in sorted(self.reps.items())
            ],
            "teams": [
                {"team": team, "trend": [h.as_dict() for h in points]}
                for team, points in sorted(self.teams.items())
            ],
        }


def known_at(data: PipelineData, moment: dt.datetime) -> PipelineData:
    """The history as it was known at ``moment``: later deals and changes left out."""
    at = pl.lit(moment).cast(UTC_US)
    return PipelineData(
        data.opportunities.filter(pl.col("created_at") < at),
        data.changes.filter(pl.col("at") < at),
        data.contacts,
        data.activity.filter(pl.col("at") < at),
    )


def moments(now: dt.datetime, quarters: int) -> list[tuple[dt.datetime, str]]:
    """The starts of the last ``quarters`` quarters before now, then now."""
    start = quarter_start(now.date())
    starts = [start]
    for _ in range(quarters - 1):
        previous = dt.date(start.year - (start.month == 1), (start.month - 4) % 12 + 1, 1)
        starts.append(previous)
        start = previous
    points = [
        (dt.datetime(s.year, s.month, s.day, tzinfo=dt.UTC), f"start of {quarter_label(s)}")
        for s in reversed(starts)
    ]
    return [*(p for p in points if p[0] < now), (now, "now")]


def judge_at(data: PipelineData, moment: dt.datetime, checks: PipelineChecks) -> CheckResult:
    """The checks on the deals open at ``moment``, with only what was known then."""
    past = known_at(data, moment)
    return check_pipeline(
        past,
        open_at(past, moment),
        checks,
        now=moment,
        times=stage_times(past, checks.stuck_quantile),
        found_bursts=bursts(past.opportunities, moment, checks),
    )


def health(
    data: PipelineData,
    checks: PipelineChecks,
    *,
    now: dt.datetime,
    teams: Mapping[str, set[int]] | None = None,
    quarters: int = 4,
    current: CheckResult | None = None,
) -> HealthReport:
    """Health per rep and per team at each of :func:`moments`; ``current`` (the checks
    already run for now) saves running them again."""
    reps: dict[int, list[Health]] = {}
    by_team: dict[str, list[Health]] = {}
    for moment, label in moments(now, quarters):
        result = (
            current if (moment == now and current is not None) else judge_at(data, moment, checks)
        )
        flagged = {f.opportunity for f in result.flags}
        deals = result.deals.filter(pl.col("owner_id").is_not_null()).with_columns(
            flagged=pl.col("id").is_in(list(flagged))
        )
        for owner, points in _points(deals, "owner_id", moment, label).items():
            reps.setdefault(int(owner), []).append(points)
        for team, members in (teams or {}).items():
            own = deals.filter(pl.col("owner_id").is_in(list(members)))
            by_team.setdefault(team, []).append(_health(team, own, moment, label))
    return HealthReport(reps, by_team)


def _points(deals: pl.DataFrame, key: str, moment: dt.datetime, label: str) -> dict[Any, Health]:
    return {
        value: _health(str(value), rows, moment, label) for (value,), rows in deals.group_by(key)
    }


def _health(key: str, deals: pl.DataFrame, moment: dt.datetime, label: str) -> Health:
    suspect = deals.filter(pl.col("suspect"))
    return Health(
        key=key,
        at=moment,
        label=label,
        open_deals=deals.height,
        suspect_deals=suspect.height,
        flagged_deals=int(deals.get_column("flagged").sum()) if deals.height else 0,
        open_amount=float(deals.get_column("amount_at").sum() or 0.0),
        suspect_amount=float(suspect.get_column("amount_at").sum() or 0.0),
    )
