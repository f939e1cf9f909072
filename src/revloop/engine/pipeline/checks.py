"""The honest-pipeline checks: each flag names its opportunity, its check and its evidence.

Every check reads the deal as it stood at its ``as_of`` moment (now for open deals;
just before closing when a closed deal's history is audited), so the same code judges
today's pipeline and the pipeline of any past day. Thresholds come from the lead
contract's ``pipeline_checks`` section; usual rates and times from the company's own
history (a rep's own rate of new deals, a stage's own times).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import polars as pl

from revloop.engine.contract.parse_pipeline import CHECK_NAMES
from revloop.engine.contract.schema import PipelineChecks
from revloop.engine.pipeline.burst import Burst, bursts
from revloop.engine.pipeline.data import UTC_US, PipelineData
from revloop.engine.pipeline.state import OPEN_STAGES, state

US_PER_DAY = 86_400_000_000


class Check(StrEnum):
    NO_ACTIVITY = "no_activity"
    CLOSE_DATE_PUSHED = "close_date_pushed"
    PAST_DUE = "past_due"
    END_OF_QUARTER_BURST = "end_of_quarter_burst"
    SKIPPED_STAGE = "skipped_stage"
    AMOUNT_JUMP = "amount_jump"
    NO_CONTACT = "no_contact"
    NO_ECONOMIC_BUYER = "no_economic_buyer"
    STUCK_IN_STAGE = "stuck_in_stage"


@dataclass(frozen=True)
class Flag:
    opportunity: int
    owner_id: int | None
    check: Check
    evidence: dict[str, Any] = field(default_factory=dict)
    #: A manager dismissed it: shown, but not counted toward a suspect.
    dismissed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "opportunity": self.opportunity,
            "owner_id": self.owner_id,
            "check": self.check.value,
            "evidence": self.evidence,
            "dismissed": self.dismissed,
        }


@dataclass(frozen=True)
class StageTimes:
    """How long deals that left each open stage spent in it (days)."""

    quantile: float
    days: dict[str, float]
    deals: dict[str, int]


@dataclass(frozen=True)
class CheckResult:
    flags: tuple[Flag, ...]
    #: The deals judged, with ``owner_id``, ``amount_at``, ``stage_at``, ``checks``
    #: (how many different checks flagged each, less the contract's
    #: ``suspect_ignores``) and ``suspect``.
    deals: pl.DataFrame
    bursts: tuple[Burst, ...]
    stage_times: StageTimes

    def suspects(self) -> list[int]:
        return sorted(self.deals.filter(pl.col("suspect")).get_column("id").to_list())


def stage_times(data: PipelineData, quantile: float) -> StageTimes:
    """The ``quantile`` of time spent in each open stage, over visits that ended."""
    moves = data.changes.filter(pl.col("field") == "stage").sort(
        "opportunity_id", "at", "new_value"
    )
    visits = moves.with_columns(
        left=pl.col("at").shift(-1).over("opportunity_id"),
    ).filter(pl.col("new_value").is_in(OPEN_STAGES) & pl.col("left").is_not_null())
    summary = visits.group_by("new_value").agg(
        ((pl.col("left") - pl.col("at")).dt.total_microseconds() / US_PER_DAY)
        .quantile(quantile, "linear")
        .alias("days"),
        pl.len().alias("deals"),
    )
    rows = summary.to_dicts()
    return StageTimes(
        quantile,
        {str(r["new_value"]): float(r["days"]) for r in rows},
        {str(r["new_value"]): int(r["deals"]) for r in rows},
    )


def check_pipeline(
    data: PipelineData,
    moments: pl.DataFrame,
    checks: PipelineChecks,
    *,
    now: dt.datetime,
    times: StageTimes | None = None,
    found_bursts: list[Burst] | None = None,
    dismissed: frozenset[tuple[int, str]] = frozenset(),
) -> CheckResult:
    """Run every check on the deals of ``moments`` (``id``, ``as_of``).

    ``dismissed`` holds (opportunity, check) pairs a manager dismissed: those flags are
    kept, marked, and do not count toward a suspect.

    ``times`` and ``found_bursts`` may be passed when judging many moments of the same
    history (the health trend), so they are measured once.
    """
    deals = state(data, moments)
    times = times if times is not None else stage_times(data, checks.stuck_quantile)
    found = found_bursts if found_bursts is not None else bursts(data.opportunities, now, checks)
    history = data.changes.join(
        deals.select(pl.col("id").alias("opportunity_id"), "as_of"), on="opportunity_id"
    ).filter(pl.col("at") < pl.col("as_of"))
    parts = [
        _no_activity(data, deals, checks),
        _pushed(history, deals, checks),
        _past_due(deals, checks),
        _burst(deals, found),
        _skipped(history, checks),
        _amount_jump(history, checks),
        *_contacts(data, deals, checks),
        _stuck(deals, times, checks),
    ]
    flags = sorted(
        (flag for part in parts for flag in part),
        key=lambda f: (f.opportunity, f.check.value),
    )
    owners = dict(
        zip(deals.get_column("id").to_list(), deals.get_column("owner_id").to_list(), strict=True)
    )
    flags = [
        Flag(
            f.opportunity,
            owners.get(f.opportunity),
            f.check,
            f.evidence,
            (f.opportunity, f.check.value) in dismissed,
        )
        for f in flags
    ]
    counting = [f for f in flags if f.check.value not in checks.suspect_ignores and not f.dismissed]
    counted = (
        pl.DataFrame(
            {"id": [f.opportunity for f in counting], "check": [f.check.value for f in counting]},
            schema={"id": pl.Int64, "check": pl.String},
        )
        .group_by("id")
        .agg(pl.col("check").n_unique().alias("checks"))
    )
    judged = (
        deals.select("id", "owner_id", "stage_at", "amount_at", "as_of")
        .join(counted, on="id", how="left")
        .with_columns(pl.col("checks").fill_null(0).cast(pl.Int64))
        .with_columns(suspect=pl.col("checks") >= checks.suspect_checks)
        .sort("id")
    )
    return CheckResult(tuple(flags), judged, tuple(found), times)


def _day(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)


def _days(micros: float) -> float:
    return round(micros / US_PER_DAY, 1)


def _no_activity(data: PipelineData, deals: pl.DataFrame, checks: PipelineChecks) -> list[Flag]:
    people = data.contacts.select("opportunity_id", "person_id").unique()
    touched = (
        people.join(
            deals.select(pl.col("id").alias("opportunity_id"), "created_at", "as_of"),
            on="opportunity_id",
        )
        .join(data.activity, on="person_id")
        .filter((pl.col("at") >= pl.col("created_at")) & (pl.col("at") < pl.col("as_of")))
        .group_by("opportunity_id")
        .agg(pl.col("at").max().alias("last_activity"), pl.len().alias("activities"))
    )
    quiet = (
        deals.join(touched, left_on="id", right_on="opportunity_id", how="left")
        .with_columns(
            since=pl.coalesce("last_activity", "created_at"),
        )
        .with_columns(gap=(pl.col("as_of") - pl.col("since")).dt.total_microseconds())
        .filter(pl.col("gap") >= checks.no_activity_days * US_PER_DAY)
    )
    return [
        Flag(
            r["id"],
            None,
            Check.NO_ACTIVITY,
            {
                "last_activity": _day(r["last_activity"]),
                "created": _day(r["created_at"]),
                "days_without_activity": _days(r["gap"]),
                "activities_since_created": int(r["activities"] or 0),
                "threshold_days": checks.no_activity_days,
            },
        )
        for r in quiet.iter_rows(named=True)
    ]


def _pushed(history: pl.DataFrame, deals: pl.DataFrame, checks: PipelineChecks) -> list[Flag]:
    moves = (
        history.filter(pl.col("field") == "close_date")
        .with_columns(
            old=pl.col("old_value").str.to_date("%Y-%m-%d", strict=False),
            new=pl.col("new_value").str.to_date("%Y-%m-%d", strict=False),
        )
        .filter(pl.col("old").is_not_null() & (pl.col("new") > pl.col("old")))
        .sort("opportunity_id", "at")
        .group_by("opportunity_id")
        .agg(
            pl.len().alias("pushes"),
            pl.col("at").alias("pushed_on"),
            pl.col("old").first().alias("first_close_date"),
            pl.col("new").last().alias("latest_close_date"),
        )
        .filter(pl.col("pushes") >= checks.close_date_pushes)
    )
    return [
        Flag(
            r["opportunity_id"],
            None,
            Check.CLOSE_DATE_PUSHED,
            {
                "pushes": r["pushes"],
                "pushed_on": [_day(at) for at in r["pushed_on"]],
                "first_close_date": _day(r["first_close_date"]),
                "latest_close_date": _day(r["latest_close_date"]),
                "threshold_pushes": checks.close_date_pushes,
            },
        )
        for r in moves.iter_rows(named=True)
    ]


def _past_due(deals: pl.DataFrame, checks: PipelineChecks) -> list[Flag]:
    late = deals.with_columns(
        days_late=(pl.col("as_of").cast(pl.Date) - pl.col("close_date_at")).dt.total_days()
    ).filter(pl.col("days_late") > checks.past_due_days)
    return [
        Flag(
            r["id"],
            None,
            Check.PAST_DUE,
            {
                "close_date": _day(r["close_date_at"]),
                "days_past_due": int(r["days_late"]),
                "threshold_days": checks.past_due_days,
            },
        )
        for r in late.iter_rows(named=True)
    ]


def _burst(deals: pl.DataFrame, found: list[Burst]) -> list[Flag]:
    flags: list[Flag] = []
    for burst in found:
        inside = deals.filter(
            (pl.col("owner_id") == burst.owner_id)
            & (pl.col("created_at") >= pl.lit(burst.window_start).cast(UTC_US))
            & (pl.col("created_at") < pl.lit(burst.window_end).cast(UTC_US))
        )
        evidence = {
            "quarter": burst.quarter,
            "window": [_day(burst.window_start), _day(burst.window_end)],
            "rep_created_in_window": burst.created,
            "rep_expected_in_window": round(burst.expected, 2),
            "rep_usual_per_day": round(burst.usual_per_day, 3),
            "rep_usual_from": {"deals": burst.usual_deals, "days": round(burst.usual_days, 1)},
            "p_value": burst.p_value,
        }
        flags.extend(
            Flag(
                r["id"],
                None,
                Check.END_OF_QUARTER_BURST,
                {"created": _day(r["created_at"]), **evidence},
            )
            for r in inside.iter_rows(named=True)
        )
    return flags


def _skipped(history: pl.DataFrame, checks: PipelineChecks) -> list[Flag]:
    index = {stage: i for i, stage in enumerate(OPEN_STAGES)}
    moves = (
        history.filter(
            (pl.col("field") == "stage")
            & pl.col("old_value").is_in(OPEN_STAGES)
            & pl.col("new_value").is_in(OPEN_STAGES)
        )
        .with_columns(
            skipped=pl.col("new_value").replace_strict(index, return_dtype=pl.Int64)
            - pl.col("old_value").replace_strict(index, return_dtype=pl.Int64)
            - 1
        )
        .filter(pl.col("skipped") >= checks.skipped_stages)
        .sort("opportunity_id", "at")
    )
    return [
        Flag(
            r["opportunity_id"],
            None,
            Check.SKIPPED_STAGE,
            {
                "from": r["old_value"],
                "to": r["new_value"],
                "on": _day(r["at"]),
                "skipped": list(OPEN_STAGES[index[r["old_value"]] + 1 : index[r["new_value"]]]),
            },
        )
        for r in moves.unique("opportunity_id", keep="first", maintain_order=True).iter_rows(
            named=True
        )
    ]


def _amount_jump(history: pl.DataFrame, checks: PipelineChecks) -> list[Flag]:
    jumps = (
        history.filter(pl.col("field") == "amount")
        .with_columns(
            old=pl.col("old_value").cast(pl.Float64, strict=False),
            new=pl.col("new_value").cast(pl.Float64, strict=False),
        )
        .filter((pl.col("old") > 0) & (pl.col("new") >= checks.amount_jump_ratio * pl.col("old")))
        .with_columns(ratio=pl.col("new") / pl.col("old"))
        .sort("opportunity_id", pl.col("ratio"), descending=[False, True])
        .unique("opportunity_id", keep="first", maintain_order=True)
    )
    return [
        Flag(
            r["opportunity_id"],
            None,
            Check.AMOUNT_JUMP,
            {
                "from": r["old_value"],
                "to": r["new_value"],
                "on": _day(r["at"]),
                "ratio": round(r["ratio"], 2),
                "threshold_ratio": checks.amount_jump_ratio,
            },
        )
        for r in jumps.iter_rows(named=True)
    ]


def _contacts(data: PipelineData, deals: pl.DataFrame, checks: PipelineChecks) -> list[list[Flag]]:
    roles = data.contacts.group_by("opportunity_id").agg(
        pl.len().alias("contacts"),
        pl.col("role").filter(pl.col("role") != "").unique().sort().alias("roles"),
    )
    joined = deals.join(roles, left_on="id", right_on="opportunity_id", how="left")
    nobody = [
        Flag(r["id"], None, Check.NO_CONTACT, {"contacts": 0})
        for r in joined.filter(pl.col("contacts").is_null()).iter_rows(named=True)
    ]
    wanted = [role.value for role in checks.buyer_roles]
    from_index = OPEN_STAGES.index(checks.buyer_role_from_stage.value)
    late_stages = list(OPEN_STAGES[from_index:])
    missing = joined.filter(
        pl.col("contacts").is_not_null()
        & pl.col("stage_at").is_in(late_stages)
        & ~pl.col("roles").list.eval(pl.element().is_in(wanted)).list.any()
    )
    no_buyer = [
        Flag(
            r["id"],
            None,
            Check.NO_ECONOMIC_BUYER,
            {
                "stage": r["stage_at"],
                "contacts": r["contacts"],
                "roles": list(r["roles"]),
                "wanted_roles": wanted,
            },
        )
        for r in missing.iter_rows(named=True)
    ]
    return [nobody, no_buyer]


def _stuck(deals: pl.DataFrame, times: StageTimes, checks: PipelineChecks) -> list[Flag]:
    usual = pl.DataFrame(
        {
            "stage_at": list(times.days),
            "usual_days": [times.days[s] for s in times.days],
            "usual_deals": [times.deals[s] for s in times.days],
        },
        schema={"stage_at": pl.String, "usual_days": pl.Float64, "usual_deals": pl.Int64},
    )
    stuck = (
        deals.filter(pl.col("stage_at").is_in(OPEN_STAGES))
        .join(usual, on="stage_at")
        .filter(pl.col("usual_deals") >= checks.stuck_min_deals)
        .with_columns(
            in_stage=(pl.col("as_of") - pl.col("stage_entered_at")).dt.total_microseconds()
            / US_PER_DAY
        )
        .filter(pl.col("in_stage") > checks.stuck_factor * pl.col("usual_days"))
    )
    return [
        Flag(
            r["id"],
            None,
            Check.STUCK_IN_STAGE,
            {
                "stage": r["stage_at"],
                "in_stage_since": _day(r["stage_entered_at"]),
                "days_in_stage": round(r["in_stage"], 1),
                "stage_usual_days": round(r["usual_days"], 1),
                "usual_quantile": times.quantile,
                "usual_from_deals": r["usual_deals"],
                "threshold_factor": checks.stuck_factor,
            },
        )
        for r in stuck.iter_rows(named=True)
    ]


# The contract names the checks without importing this module; keep the lists equal.
assert tuple(c.value for c in Check) == CHECK_NAMES
