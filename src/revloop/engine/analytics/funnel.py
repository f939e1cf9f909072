"""Funnel conversion and velocity, cohort-correct and honest about censoring.

Definitions (all computed by the engine from the stage events of :mod:`.stages`):

- A person *reached* a stage when they first entered it or any later stage of the
  success path (lead → MQL → SAL → SQL → opportunity → customer), at that time.
  Skipping a stage counts as passing through it, in no time.
- A person belongs to the *cohort* of the month they were created (entered the
  funnel), for ever: later movement never moves them to another cohort.
  ``cohort_from`` / ``cohort_to`` select people created in ``[from, to)``.
- For each consecutive pair of stages, of the people who reached the first
  (``entered``): ``converted`` reached the second; ``still_open`` have not and are
  still in the first stage at ``as_of`` (right-censored: their outcome is unknown,
  so they are *not* counted as lost); ``lost`` are the rest, who left the stage
  without converting (to recycled or disqualified, or back to an earlier stage).
- ``conversion_rate`` = converted / (converted + lost): among people whose outcome is
  known. ``naive_rate`` = converted / entered, the usual but censored figure that
  understates recent cohorts. ``drop_off_rate`` = lost / (converted + lost).
- The ``overall`` row is lead → customer: still open means in any stage before
  customer; lost means in a detour at ``as_of``.
- Velocity: ``days_in_stage_*`` are quantiles (25, 50, 75, 90th percentile, linear
  interpolation as numpy's default) of the time spent in the first stage by the
  people who *left* it (converted or lost; still-open people have no duration yet),
  ``days_to_convert_*`` the same over converted people only (for ``overall``: lead
  to customer, the sales cycle).

With opportunities and no people (an imported opportunity export), the report is
of the opportunities' own stages instead (:mod:`.opportunity_funnel`, ``basis``
``opportunities``).

Slices (``by``, one or several): ``source`` (the person's source field),
``channel`` / ``campaign`` / ``content`` (of the person's first touch having one),
``segment`` (account tier), ``icp_grade`` (fit score on the contract's grade scale),
``industry``, ``region``, ``persona``, ``rep`` (owner), ``cohort`` (creation
month, ``YYYY-MM``). Missing values show as ``(none)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, get_args

import polars as pl

from revloop.engine.analytics._ibis import Expr, Table, ibis, null, real
from revloop.engine.analytics.attribution import content_labels
from revloop.engine.analytics.opportunity_funnel import has_only_opportunities, opportunity_steps
from revloop.engine.analytics.stages import LAST_RANK, stage_events
from revloop.engine.analytics.tables import (
    US_PER_DAY,
    Tables,
    checkpoint,
    in_scratch,
    join_on,
    to_polars,
    union_all,
)
from revloop.engine.contract import GRADES, GradeScale
from revloop.engine.vocabulary import SUCCESS_PATH

Dimension = Literal[
    "source",
    "channel",
    "campaign",
    "content",
    "segment",
    "icp_grade",
    "industry",
    "region",
    "persona",
    "rep",
    "cohort",
]
DIMENSIONS: tuple[str, ...] = get_args(Dimension)
#: The grade scale of the default lead contract.
DEFAULT_GRADES = GradeScale(a=70.0, b=45.0, c=25.0, d=10.0)
QUANTILES = (0.25, 0.5, 0.75, 0.9)
NONE = "(none)"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OVERALL = "overall"
_TIERS = {"1": "Tier 1", "2": "Tier 2", "3": "Tier 3", "": "Not targeted"}
_STEP_COLUMNS = (
    "entered",
    "converted",
    "lost",
    "still_open",
    "conversion_rate",
    "naive_rate",
    "drop_off_rate",
)


@dataclass(frozen=True)
class FunnelReport:
    """One row per slice and step (module docstring for every column)."""

    steps: pl.DataFrame
    dimensions: tuple[str, ...]
    as_of: datetime | None
    cohort_from: datetime | None
    cohort_to: datetime | None
    engine: str
    #: ``people`` (the lifecycle path) or ``opportunities`` (their own stages, when
    #: there are opportunities and no people: :mod:`.opportunity_funnel`).
    basis: str = "people"
    #: Opportunities per stage present (``opportunities`` basis only).
    stages: pl.DataFrame | None = None

    def step(self, from_stage: str, to_stage: str, **slice_: str) -> dict[str, Any]:
        """The row of one step (``"lead", "customer"`` is overall) in one slice."""
        rows = self.steps.filter(
            (pl.col("from_stage") == from_stage) & (pl.col("to_stage") == to_stage),
            *(pl.col(k) == v for k, v in slice_.items()),
        )
        if rows.height != 1:
            raise KeyError(f"no single step {from_stage} → {to_stage} for {slice_}")
        return rows.row(0, named=True)

    def as_dict(self) -> dict[str, Any]:
        def when(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "dimensions": list(self.dimensions),
            "as_of": when(self.as_of),
            "cohort_from": when(self.cohort_from),
            "cohort_to": when(self.cohort_to),
            "engine": self.engine,
            "basis": self.basis,
            "steps": self.steps.to_dicts(),
            "stages": [] if self.stages is None else self.stages.to_dicts(),
        }


def funnel_columns(dimensions: Sequence[str] = ()) -> dict[str, tuple[str, ...]]:
    """The normalised columns a funnel sliced by ``dimensions`` reads (for
    :func:`~revloop.engine.analytics.materialize` of just those)."""
    columns: dict[str, tuple[str, ...]] = {
        "person": (
            "id",
            "created_us",
            "cohort_month",
            "stage",
            "stage_changed_us",
            "source",
            "persona",
            "fit_score",
            "account_id",
            "owner_id",
        ),
        "transition": ("id", "person_id", "to_stage", "at_us"),
        # Read when there are no people (:mod:`.opportunity_funnel`).
        "opportunity": (
            "id",
            "stage",
            "created_us",
            "closed_us",
            "close_date_us",
            "source",
            "owner_id",
            "account_id",
        ),
    }
    wanted = set(dimensions)
    if wanted & {"segment", "industry", "region"}:
        columns["account"] = ("id", "tier", "industry", "region")
    if "rep" in wanted:
        columns["user"] = ("id", "username")
    touch = {"channel": "channel", "campaign": "campaign_id", "content": "content_id"}
    if wanted & set(touch):
        columns["touch"] = (
            "id",
            "person_id",
            "occurred_us",
            *(touch[d] for d in touch if d in wanted),
        )
    if "campaign" in wanted:
        columns["campaign"] = ("id", "name")
    if "content" in wanted:
        columns["content"] = ("id", "title")
    return columns


def _us(value: datetime | date | None) -> int | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        raise ValueError(f"{value!r}: give times with a time zone")
    return (value - _EPOCH) // timedelta(microseconds=1)


def _first_touch(tables: Tables, label: Expr, touches: Table, name: str) -> Table:
    """``person_id, <name>``: the label of each person's first touch that has one."""
    have = touches.select(
        person_id=touches.person_id, at_us=touches.occurred_us, touch_id=touches.id, label=label
    )
    have = have.filter(have.person_id.notnull() & have.label.notnull() & (have.label != ""))
    order = ibis.window(group_by="person_id", order_by=["at_us", "touch_id"])
    have = have.mutate(position=ibis.row_number().over(order))
    first = have.filter(have.position == 0).select("person_id", **{name: "label"})
    return checkpoint(first, tables, index=("person_id",))


def _grade(fit: Expr, grades: GradeScale) -> Expr:
    cases = [
        (fit >= minimum, letter)
        for letter, minimum in zip(GRADES, grades.thresholds(), strict=False)
    ]
    return ibis.cases(*cases, else_=GRADES[-1])


def people(
    tables: Tables,
    dimensions: Sequence[str],
    *,
    as_of_us: int | None = None,
    grades: GradeScale = DEFAULT_GRADES,
) -> Table:
    """``person_id, created_us, cohort_month`` and one column per slice dimension."""
    person = tables.person
    if as_of_us is not None:
        person = person.filter(person.created_us <= as_of_us)
    base = person.select(
        person_id=person.id,
        created_us=person.created_us,
        cohort_month=person.cohort_month,
        source=person.source,
        persona=person.persona,
        fit_score=person.fit_score,
        account_id=person.account_id,
        owner_id=person.owner_id,
    )
    columns: dict[str, Expr] = {}
    wanted = set(dimensions)
    if wanted & {"segment", "industry", "region"}:
        account = tables.account
        firmographics = account.select(
            account_id=account.id,
            tier=account.tier,
            industry=account.industry,
            region=account.region,
        )
        base = join_on(base, firmographics, "account_id", "left")
    if "rep" in wanted:
        user = tables.user
        base = join_on(base, user.select(owner_id=user.id, rep=user.username), "owner_id", "left")
    touches = tables.touch
    if as_of_us is not None:
        touches = touches.filter(touches.occurred_us <= as_of_us)
    if "channel" in wanted:
        first = _first_touch(tables, touches.channel, touches, "channel")
        base = join_on(base, first, "person_id", "left")
    if "campaign" in wanted:
        campaign = tables.campaign
        names = campaign.select(campaign_id=campaign.id, campaign_name=campaign.name)
        named = join_on(touches, names, "campaign_id", "left")
        first = _first_touch(tables, named.campaign_name, named, "campaign")
        base = join_on(base, first, "person_id", "left")
    if "content" in wanted:
        labels = content_labels(tables)
        named = join_on(touches, labels, "content_id", "left")
        first = _first_touch(tables, named.label, named, "content")
        base = join_on(base, first, "person_id", "left")
    for dimension in dimensions:
        if dimension == "segment":
            columns[dimension] = ibis.ifelse(
                base.account_id.isnull(),
                "(no account)",
                base.tier.fill_null("").substitute(_TIERS, else_=base.tier),
            )
        elif dimension == "icp_grade":
            columns[dimension] = _grade(base.fit_score.fill_null(0.0), grades)
        elif dimension == "cohort":
            columns[dimension] = base.cohort_month.cast("string")
        else:
            columns[dimension] = base[dimension].cast("string")
    return checkpoint(base.select("person_id", "created_us", "cohort_month", **columns), tables)


def person_progress(tables: Tables, as_of_us: int | None = None) -> Table:
    """Per person: ``reached_k`` (first time at stage k or beyond, k = 0..5),
    ``current`` (rank of the stage at ``as_of``) and ``left_k`` (first time, after
    reaching k, that they went to a detour or an earlier stage).

    Window functions over the person's events, then one aggregation: no join, which
    SQLite would plan badly.
    """
    events = stage_events(tables, as_of_us)
    everything = ibis.window(group_by="person_id")
    latest = ibis.window(group_by="person_id", order_by=[ibis.desc("at_us"), ibis.desc("seq")])
    marked = events.mutate(
        current=events["rank"].first().over(latest),
        **{
            f"reached_{k}": ibis.ifelse(events["rank"] >= k, events.at_us, null("int64"))
            .min()
            .over(everything)
            for k in range(LAST_RANK + 1)
        },
    )
    progress = marked.group_by("person_id").agg(
        current=marked.current.max(),
        **{f"reached_{k}": marked[f"reached_{k}"].max() for k in range(LAST_RANK + 1)},
        **{
            f"left_{k}": ibis.ifelse(
                (marked.at_us >= marked[f"reached_{k}"]) & (marked["rank"] < k),
                marked.at_us,
                null("int64"),
            ).min()
            for k in range(LAST_RANK)
        },
    )
    return checkpoint(progress, tables, index=("person_id",))


def _count(condition: Expr) -> Expr:
    return ibis.ifelse(condition, 1, 0).sum()


def _quantiles(durations: Table, keys: Sequence[str]) -> Table:
    """Linear-interpolation quantiles of ``days`` per ``keys`` (numpy's default method),
    with window functions only, so every engine computes them the same way."""
    order = ibis.window(group_by=list(keys), order_by="days")
    ranked = durations.mutate(
        position=ibis.row_number().over(order),
        n=durations.count().over(ibis.window(group_by=list(keys))),
    )
    columns: dict[str, Expr] = {"n": ranked.n.max()}
    for q in QUANTILES:
        at = (ranked.n - 1).cast("float64") * q
        low = at.floor().cast("int64")
        fraction = at - low.cast("float64")
        weight = ibis.ifelse(
            ranked.position == low,
            real(1.0) - fraction,
            ibis.ifelse(ranked.position == low + 1, fraction, real(0.0)),
        )
        columns[f"p{round(q * 100)}"] = (weight * ranked.days).sum()
    return ranked.group_by(list(keys)).agg(**columns)


@in_scratch
def funnel(
    tables: Tables,
    by: str | Sequence[str] = (),
    *,
    as_of: datetime | None = None,
    cohort_from: datetime | date | None = None,
    cohort_to: datetime | date | None = None,
    grades: GradeScale = DEFAULT_GRADES,
) -> FunnelReport:
    """Conversion and velocity of every funnel step, per slice (module docstring)."""
    dimensions = (by,) if isinstance(by, str) else tuple(by)
    unknown = [d for d in dimensions if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown funnel dimension(s) {unknown}; choose from {DIMENSIONS}")
    as_of_us = _us(as_of)
    if has_only_opportunities(tables):
        steps, stages = opportunity_steps(
            tables,
            dimensions,
            as_of_us=as_of_us,
            created_from_us=_us(cohort_from),
            created_to_us=_us(cohort_to),
        )
        return FunnelReport(
            steps=steps,
            dimensions=dimensions,
            as_of=as_of,
            cohort_from=_aware(cohort_from),
            cohort_to=_aware(cohort_to),
            engine=tables.engine,
            basis="opportunities",
            stages=stages,
        )
    who = people(tables, dimensions, as_of_us=as_of_us, grades=grades)
    if cohort_from is not None:
        who = who.filter(who.created_us >= _us(cohort_from))
    if cohort_to is not None:
        who = who.filter(who.created_us < _us(cohort_to))
    progress = person_progress(tables, as_of_us)
    rows = checkpoint(join_on(who, progress, "person_id"), tables, index=("person_id",))
    keys = list(dimensions)

    counts: dict[str, Expr] = {}
    for k in range(LAST_RANK):
        here, there = rows[f"reached_{k}"], rows[f"reached_{k + 1}"]
        counts[f"entered_{k}"] = _count(here.notnull())
        counts[f"converted_{k}"] = _count(there.notnull())
        counts[f"still_open_{k}"] = _count(here.notnull() & there.isnull() & (rows.current == k))
    ended = rows[f"reached_{LAST_RANK}"]
    counts["entered_overall"] = _count(rows.reached_0.notnull())
    counts["converted_overall"] = _count(ended.notnull())
    counts["still_open_overall"] = _count(
        ended.isnull() & (rows.current >= 0) & (rows.current < LAST_RANK)
    )
    stats = rows.group_by(keys).agg(**counts) if keys else rows.aggregate(**counts)

    durations = []
    for k in range(LAST_RANK):
        here, there, left = rows[f"reached_{k}"], rows[f"reached_{k + 1}"], rows[f"left_{k}"]
        stay = ibis.ifelse(there.notnull(), there - here, left - here)
        for kind, days in (("in_stage", stay), ("to_convert", there - here)):
            durations.append(
                rows.select(
                    *keys,
                    step=ibis.literal(str(k)),
                    kind=ibis.literal(kind),
                    days=days.cast("float64") / US_PER_DAY,
                )
            )
    durations.append(
        rows.select(
            *keys,
            step=ibis.literal(OVERALL),
            kind=ibis.literal("to_convert"),
            days=(ended - rows.reached_0).cast("float64") / US_PER_DAY,
        )
    )
    timed = union_all(*durations)
    timed = checkpoint(timed.filter(timed.days.notnull()), tables)
    spread = _quantiles(timed, [*keys, "step", "kind"])

    stats_frame = to_polars(stats, tables)
    spread_frame = to_polars(spread, tables)
    frame = _assemble(stats_frame, spread_frame, keys)
    return FunnelReport(
        steps=frame,
        dimensions=dimensions,
        as_of=as_of,
        cohort_from=_aware(cohort_from),
        cohort_to=_aware(cohort_to),
        engine=tables.engine,
    )


def _aware(value: datetime | date | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _slice_values(frame: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    fixes = []
    for key in keys:
        column = pl.col(key).cast(pl.String)
        if key == "cohort":
            column = column.str.slice(0, 4) + "-" + column.str.slice(4, 2)
        fixes.append(
            pl.when(column.is_null() | (column == ""))
            .then(pl.lit(NONE))
            .otherwise(column)
            .alias(key)
        )
    return frame.with_columns(fixes) if fixes else frame


def _assemble(stats: pl.DataFrame, spread: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    stats = _slice_values(stats, keys)
    spread = _slice_values(spread, keys)
    steps = [(str(k), SUCCESS_PATH[k].value, SUCCESS_PATH[k + 1].value) for k in range(LAST_RANK)]
    steps.append((OVERALL, SUCCESS_PATH[0].value, SUCCESS_PATH[LAST_RANK].value))
    parts = []
    for order, (step, start, end) in enumerate(steps):
        suffix = "overall" if step == OVERALL else step
        parts.append(
            stats.select(
                *keys,
                step_order=pl.lit(order),
                step=pl.lit(step),
                from_stage=pl.lit(start),
                to_stage=pl.lit(end),
                entered=pl.col(f"entered_{suffix}").fill_null(0).cast(pl.Int64),
                converted=pl.col(f"converted_{suffix}").fill_null(0).cast(pl.Int64),
                still_open=pl.col(f"still_open_{suffix}").fill_null(0).cast(pl.Int64),
            )
        )
    frame = pl.concat(parts).with_columns(
        lost=pl.col("entered") - pl.col("converted") - pl.col("still_open")
    )
    known = pl.col("converted") + pl.col("lost")
    frame = frame.with_columns(
        conversion_rate=pl.when(known > 0).then(pl.col("converted") / known),
        naive_rate=pl.when(pl.col("entered") > 0).then(pl.col("converted") / pl.col("entered")),
        drop_off_rate=pl.when(known > 0).then(pl.col("lost") / known),
    )
    for kind in ("in_stage", "to_convert"):
        chosen = spread.filter(pl.col("kind") == kind).select(
            *keys,
            "step",
            pl.col("n").cast(pl.Int64).alias(f"days_{kind}_n"),
            *(
                pl.col(f"p{round(q * 100)}").alias(f"days_{kind}_p{round(q * 100)}")
                for q in QUANTILES
            ),
        )
        frame = frame.join(chosen, on=[*keys, "step"], how="left")
    return frame.sort([*keys, "step_order"]).select(
        *keys,
        "from_stage",
        "to_stage",
        *_STEP_COLUMNS,
        *(c for c in frame.columns if c.startswith("days_")),
    )
