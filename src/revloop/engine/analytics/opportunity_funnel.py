"""The funnel of a company that has opportunities but no people (an imported CRM
opportunity export): the stages the opportunities themselves are in.

Without people there is no lead → customer path to follow, and a funnel of people
would read all zeros. The opportunities say where each deal stands, so the report
gives, per slice:

- one step ``opportunity → won``: ``entered`` every opportunity, ``converted`` the won,
  ``lost`` the lost and ``still_open`` the rest (right-censored: not counted as lost);
  the rates as the people funnel defines them (won / (won + lost) and so on);
  ``days_in_stage_*``: created to close of the closed deals, ``days_to_convert_*``:
  created to close of the won (the sales cycle), at the same quantiles;
- ``stages``: how many opportunities are in each stage present in the data, in
  pipeline order (open stages first, then won and lost; unknown ones after, by name).

A deal's close is its close time, else its close date; at ``as_of`` a deal closed
later is still open, and one created later is left out. Slices: ``source`` (the
opportunity's lead source), ``rep`` (its owner), ``cohort`` (month created),
``segment`` / ``industry`` / ``region`` (of its account); the others, which describe
people and touches, read ``(none)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from revloop.engine.analytics._ibis import Expr
from revloop.engine.analytics.tables import US_PER_DAY, Tables, join_on, to_polars
from revloop.engine.vocabulary import OpportunityStage

OPPORTUNITY = "opportunity"
WON = OpportunityStage.WON.value
LOST = OpportunityStage.LOST.value
STAGE_ORDER = {stage.value: index for index, stage in enumerate(OpportunityStage)}
QUANTILES = (0.25, 0.5, 0.75, 0.9)
NONE = "(none)"
_TIERS = {"1": "Tier 1", "2": "Tier 2", "3": "Tier 3", "": "Not targeted"}


def has_only_opportunities(tables: Tables) -> bool:
    """True when there are opportunities and no people."""
    person, opportunity = tables.person, tables.opportunity
    counts = to_polars(
        person.aggregate(n=person.count()).cross_join(opportunity.aggregate(m=opportunity.count())),
        tables,
    )
    return bool(counts["n"][0] == 0 and counts["m"][0] > 0)


def _deals(tables: Tables, dimensions: Sequence[str]) -> pl.DataFrame:
    deal = tables.opportunity
    columns: dict[str, Expr] = {
        "id": deal.id,
        "stage": deal.stage,
        "created_us": deal.created_us,
        "closed_us": deal.closed_us.fill_null(deal.close_date_us),
        "source": deal.source,
        "owner_id": deal.owner_id,
        "account_id": deal.account_id,
    }
    base = deal.select(**columns)
    wanted = set(dimensions)
    if wanted & {"segment", "industry", "region"}:
        account = tables.account
        base = join_on(
            base,
            account.select(
                account_id=account.id,
                tier=account.tier,
                industry=account.industry,
                region=account.region,
            ),
            "account_id",
            "left",
        )
    if "rep" in wanted:
        user = tables.user
        base = join_on(base, user.select(owner_id=user.id, rep=user.username), "owner_id", "left")
    return to_polars(base, tables)


def _slices(frame: pl.DataFrame, dimensions: Sequence[str]) -> pl.DataFrame:
    columns = []
    for dimension in dimensions:
        if dimension == "source":
            value = pl.col("source")
        elif dimension in ("rep", "industry", "region"):
            value = pl.col(dimension)
        elif dimension == "cohort":
            value = (
                pl.from_epoch(pl.col("created_us"), time_unit="us")
                .dt.strftime("%Y-%m")
                .cast(pl.String)
            )
        elif dimension == "segment":
            value = (
                pl.when(pl.col("account_id").is_null())
                .then(pl.lit("(no account)"))
                .otherwise(pl.col("tier").fill_null("").replace(_TIERS))
            )
        else:
            value = pl.lit(None, pl.String)
        value = value.cast(pl.String)
        columns.append(
            pl.when(value.is_null() | (value.str.strip_chars() == ""))
            .then(pl.lit(NONE))
            .otherwise(value)
            .alias(dimension)
        )
    return frame.with_columns(columns)


def _outcomes(frame: pl.DataFrame, as_of_us: int | None) -> pl.DataFrame:
    closed = pl.col("stage").is_in([WON, LOST])
    if as_of_us is not None:
        frame = frame.filter(pl.col("created_us") <= as_of_us)
        closed = closed & pl.col("closed_us").is_not_null() & (pl.col("closed_us") <= as_of_us)
    return frame.with_columns(
        outcome=pl.when(closed).then(pl.col("stage")).otherwise(pl.lit("open")),
        days=(pl.col("closed_us") - pl.col("created_us")) / US_PER_DAY,
    )


def _quantile_columns(days: pl.Expr, kind: str) -> list[pl.Expr]:
    return [
        days.count().cast(pl.Int64).alias(f"days_{kind}_n"),
        *(
            days.quantile(q, interpolation="linear").alias(f"days_{kind}_p{round(q * 100)}")
            for q in QUANTILES
        ),
    ]


def opportunity_steps(
    tables: Tables,
    dimensions: Sequence[str],
    *,
    as_of_us: int | None = None,
    created_from_us: int | None = None,
    created_to_us: int | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(steps, stages)`` of the opportunities (module docstring)."""
    keys = list(dimensions)
    frame = _slices(_deals(tables, dimensions), dimensions)
    if created_from_us is not None:
        frame = frame.filter(pl.col("created_us") >= created_from_us)
    if created_to_us is not None:
        frame = frame.filter(pl.col("created_us") < created_to_us)
    frame = _outcomes(frame, as_of_us)
    outcome = pl.col("outcome")
    closed_days = pl.col("days").filter(outcome != "open")
    won_days = pl.col("days").filter(outcome == WON)
    aggregations = [
        pl.len().cast(pl.Int64).alias("entered"),
        (outcome == WON).sum().cast(pl.Int64).alias("converted"),
        (outcome == LOST).sum().cast(pl.Int64).alias("lost"),
        (outcome == "open").sum().cast(pl.Int64).alias("still_open"),
        *_quantile_columns(closed_days, "in_stage"),
        *_quantile_columns(won_days, "to_convert"),
    ]
    steps = frame.group_by(keys).agg(aggregations) if keys else frame.select(aggregations)
    known = pl.col("converted") + pl.col("lost")
    steps = steps.with_columns(
        from_stage=pl.lit(OPPORTUNITY),
        to_stage=pl.lit(WON),
        conversion_rate=pl.when(known > 0).then(pl.col("converted") / known),
        naive_rate=pl.when(pl.col("entered") > 0).then(pl.col("converted") / pl.col("entered")),
        drop_off_rate=pl.when(known > 0).then(pl.col("lost") / known),
    )
    days = [c for c in steps.columns if c.startswith("days_")]
    steps = steps.sort(keys) if keys else steps
    steps = steps.select(
        *keys,
        "from_stage",
        "to_stage",
        "entered",
        "converted",
        "lost",
        "still_open",
        "conversion_rate",
        "naive_rate",
        "drop_off_rate",
        *sorted(days, key=_day_column_order),
    )
    # A deal closed after ``as_of`` was in some open stage then, which one unknown.
    shown = frame.with_columns(
        stage=pl.when((outcome == "open") & pl.col("stage").is_in([WON, LOST]))
        .then(pl.lit("open"))
        .otherwise(pl.col("stage"))
    )
    stages = shown.group_by([*keys, "stage"]).agg(opportunities=pl.len().cast(pl.Int64))
    stages = stages.with_columns(
        outcome=pl.when(pl.col("stage").is_in([WON, LOST]))
        .then(pl.col("stage"))
        .otherwise(pl.lit("open")),
        order=pl.col("stage").replace_strict(STAGE_ORDER, default=len(STAGE_ORDER)),
    )
    stages = stages.sort([*keys, "order", "stage"]).drop("order")
    return steps, stages


def _day_column_order(name: str) -> tuple[int, int]:
    kind = 0 if "in_stage" in name else 1
    suffix = name.rsplit("_", 1)[1]
    return kind, -1 if suffix == "n" else int(suffix.removeprefix("p"))
