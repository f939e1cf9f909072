"""Content effectiveness: does an asset bring revenue, or only downloads?

For each content asset, computed by the engine:

- ``touches`` (every touch on it), ``downloads`` (content_download touches) and
  ``views`` (the others), and ``people``: identified people who touched it;
- the share of those people who reached MQL, were accepted (SAL), were on an
  opportunity (``pipeline``) and on a won one (``win``), each beside the same share
  among everyone else (``*_others``) -- exposure at any time, so a correlation
  rather than an effect, but the comparison Marketing and Sales argue about;
- ``attributed_pipeline`` / ``attributed_revenue``: the opportunity amounts credited
  to the asset by the linear model at content level (outcomes ``pipeline`` and
  ``revenue``, pushed down as in :mod:`.attribution`), and per touch;
- ``misinformed``: people rejected as ``misinformed`` after they had touched the asset;
  ``misinformed_rate`` per person who touched it *and reached MQL* (only MQLs get a
  verdict from Sales, so the rate among them is not confounded by how far an asset's
  audience gets), ``misinformed_rate_others`` among the other MQLs, their ratio
  ``misinformed_lift``, and ``misinformed_p``: the chance of that many misinformed
  people or more had they been misinformed at the rate of the other MQLs (binomial
  upper tail).

With a ``period`` (:mod:`revloop.engine.period`), the attributed money counts only the pipeline
created and the revenue closed in it, and ``revenue`` says how much revenue closed in
it and how much of that a content touch can explain; reach and rates stay all-time
(who touched an asset and how far they got).

``flags`` names what stands out: ``many touches, little revenue`` (at least the
median asset's touches, and attributed revenue per touch under half the average
over all content touches) and ``misinforms`` (a misinformed lift of 3 or more that
chance explains less than once in twenty, Bonferroni-corrected over the assets).
Rows are sorted so that the first kind comes first: assets with many touches by
revenue per touch, lowest first, then the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from revloop.engine.analytics._ibis import Expr, Table, ibis
from revloop.engine.analytics.attribution import (
    Contacts,
    JourneyQuery,
    Totals,
    content_labels,
    rule_based,
)
from revloop.engine.analytics.attribution import totals as conversion_totals
from revloop.engine.analytics.funnel import person_progress
from revloop.engine.analytics.tables import Tables, checkpoint, in_scratch, join_on, to_polars
from revloop.engine.period import Period
from revloop.engine.vocabulary import OpportunityStage, TouchType

MISINFORMED = "misinformed"
#: The rates beside "others" compare who touched an asset with everyone else: who
#: reads an asset differs from who does not, so this is never the asset's effect.
COMPARISON = "observational"
COMPARISON_NOTE = (
    "Observational: people who touched the asset against everyone else, at any time. "
    "A correlation, not the asset's effect; a campaign's effect needs a control group "
    "(revloop lift --campaign)."
)
FLAG_LITTLE_REVENUE = "many touches, little revenue"
FLAG_MISINFORMS = "misinforms"
#: "Little revenue": under this share of the average attributed revenue per touch.
LITTLE_REVENUE = 0.5
#: "Misinforms": a misinformed rate at least this many times that of the people who
#: did not see the asset, and too many rejections for chance at this level.
MISINFORMS_LIFT = 3.0
MISINFORMS_SIGNIFICANCE = 0.05
_OUTCOMES = ("mql", "sal", "pipeline", "win")


@dataclass(frozen=True)
class ContentReport:
    """One row per content asset (module docstring for the columns)."""

    assets: pl.DataFrame
    lookback_days: float | None
    contacts: Contacts
    engine: str
    #: Revenue (won deals) that converted in the period, and how much had a content touch.
    revenue: Totals
    period: Period | None = None

    def asset(self, title: str) -> dict[str, Any]:
        rows = self.assets.filter(pl.col("title") == title)
        if rows.height != 1:
            raise KeyError(f"no single asset titled {title!r}")
        return rows.row(0, named=True)

    def as_dict(self) -> dict[str, Any]:
        return {
            "comparison": COMPARISON,
            "comparison_note": COMPARISON_NOTE,
            "lookback_days": self.lookback_days,
            "contacts": self.contacts,
            "period": None if self.period is None else self.period.as_dict(),
            "engine": self.engine,
            "revenue_deals": self.revenue.conversions,
            "revenue_closed": self.revenue.value,
            "revenue_with_content": self.revenue.attributed_value,
            "assets": self.assets.to_dicts(),
        }


def _flag(condition: Expr) -> Expr:
    return ibis.ifelse(condition, 1, 0)


def person_outcomes(tables: Tables, contacts: Contacts = "all") -> Table:
    """``person_id, mql, sal, pipeline, win`` (1 or 0) for every person."""
    progress = person_progress(tables)
    opportunity = tables.opportunity
    won = _flag(opportunity.stage == OpportunityStage.WON.value)
    primary = opportunity.filter(opportunity.primary_contact_id.notnull()).select(
        person_id=opportunity.primary_contact_id, won=won
    )
    deals = primary
    if contacts == "all":
        contact = tables.opportunity_contact
        listed = contact.join(opportunity, contact.opportunity_id == opportunity.id).select(
            person_id=contact.person_id, won=won
        )
        deals = listed.union(primary)
    on_deals = deals.group_by("person_id").agg(pipeline=deals.count(), win=deals.won.max())
    on_deals = checkpoint(on_deals, tables, index=("person_id",))
    person = tables.person.select(person_id="id")
    joined = join_on(join_on(person, progress, "person_id", "left"), on_deals, "person_id", "left")
    outcomes = joined.select(
        "person_id",
        mql=_flag(joined.reached_1.notnull()),
        sal=_flag(joined.reached_2.notnull()),
        pipeline=_flag(joined.pipeline.notnull()),
        win=joined.win.fill_null(0),
    )
    return checkpoint(outcomes, tables, index=("person_id",))


@in_scratch
def content_effectiveness(
    tables: Tables,
    *,
    lookback_days: float | None = 90.0,
    contacts: Contacts = "all",
    period: Period | None = None,
) -> ContentReport:
    """Every content asset's reach, outcomes, attributed money and misinformed
    rejections (module docstring)."""
    touch = tables.touch
    on_content = touch.filter(touch.content_id.notnull())
    usage = on_content.group_by("content_id").agg(
        touches=on_content.count(),
        downloads=_flag(on_content.type == TouchType.CONTENT_DOWNLOAD.value).sum(),
    )

    outcomes = person_outcomes(tables, contacts)
    seen = on_content.filter(on_content.person_id.notnull())
    pairs = checkpoint(
        seen.group_by("content_id", "person_id").agg(first_us=seen.occurred_us.min()),
        tables,
        index=("person_id",),
    )
    exposed = join_on(pairs, outcomes, "person_id")
    reach = exposed.group_by("content_id").agg(
        people=exposed.count(), **{name: exposed[name].sum() for name in _OUTCOMES}
    )
    everyone = outcomes.aggregate(
        people=outcomes.count(), **{name: outcomes[name].sum() for name in _OUTCOMES}
    )

    transition = tables.transition
    rejected = transition.filter(transition.reason_code == MISINFORMED).select(
        person_id=transition.person_id, rejected_us=transition.at_us
    )
    before = join_on(rejected, pairs, "person_id")
    before = before.filter(before.first_us <= before.rejected_us)
    misinformed = before.group_by("content_id").agg(misinformed=before.person_id.nunique())
    misinformed_people = rejected.person_id.nunique()

    assets = tables.content
    campaign = tables.campaign
    labels = content_labels(tables)
    described = join_on(
        join_on(
            assets.select(content_id="id", title="title", kind="kind", campaign_id="campaign_id"),
            campaign.select(campaign_id="id", campaign="name"),
            "campaign_id",
            "left",
        ),
        labels,
        "content_id",
        "left",
    )
    frame = to_polars(described.drop("campaign_id"), tables)
    for part in (usage, reach, misinformed):
        frame = frame.join(to_polars(part, tables), on="content_id", how="left")
    everyone_totals = to_polars(everyone, tables).row(0, named=True)
    everyone_totals["misinformed"] = int(
        to_polars(misinformed_people.as_table(), tables).item() or 0
    )

    credit: dict[str, dict[str, float]] = {}
    queries = {
        outcome: JourneyQuery(
            outcome=outcome,
            level="content",
            lookback_days=lookback_days,
            contacts=contacts,
            period=period,
        )
        for outcome in ("pipeline", "revenue")
    }
    for outcome, query in queries.items():
        result = rule_based(tables, query, models=("linear",))["linear"]
        credit[outcome] = result.value_by_channel()
    frame = _finish(frame, everyone_totals, credit)
    return ContentReport(
        assets=frame,
        lookback_days=lookback_days,
        contacts=contacts,
        engine=tables.engine,
        revenue=conversion_totals(tables, queries["revenue"]),
        period=period,
    )


def _excess_p_value(frame: pl.DataFrame) -> pl.Series:
    """P(at least this many misinformed people among those who saw the asset) if they
    were misinformed at the rate of those who did not (binomial upper tail)."""
    seen = frame["mql"].to_numpy()
    found = frame["misinformed"].to_numpy()
    base = frame["misinformed_rate_others"].fill_null(0.0).to_numpy()
    tail = stats.binom.sf(found - 1, seen, np.clip(base, 1e-12, 1.0))
    return pl.Series("misinformed_p", np.where(seen > 0, tail, np.nan)).fill_nan(None)


def _rate_parts(totals: dict[str, Any], people: pl.Expr, others: pl.Expr) -> list[pl.Expr]:
    """``<rate>_numerator`` and ``<rate>_denominator`` beside every rate: what it divides."""
    parts: list[pl.Expr] = []
    pairs: list[tuple[str, pl.Expr, pl.Expr]] = []
    for name in _OUTCOMES:
        rest = pl.lit(int(totals[name] or 0)) - pl.col(name)
        pairs += [(f"{name}_rate", pl.col(name), people), (f"{name}_rate_others", rest, others)]
    judged = pl.col("mql")
    pairs += [
        ("misinformed_rate", pl.col("misinformed"), judged),
        (
            "misinformed_rate_others",
            pl.lit(int(totals["misinformed"] or 0)) - pl.col("misinformed"),
            pl.lit(int(totals["mql"] or 0)) - judged,
        ),
    ]
    for name, numerator, denominator in pairs:
        parts.append(numerator.cast(pl.Int64).alias(f"{name}_numerator"))
        parts.append(denominator.cast(pl.Int64).alias(f"{name}_denominator"))
    return parts


def _finish(
    frame: pl.DataFrame, totals: dict[str, Any], credit: dict[str, dict[str, float]]
) -> pl.DataFrame:
    counts = ["touches", "downloads", "people", *_OUTCOMES, "misinformed"]
    frame = frame.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
    frame = frame.with_columns(
        views=pl.col("touches") - pl.col("downloads"),
        attributed_pipeline=pl.col("label").replace_strict(
            credit["pipeline"], default=0.0, return_dtype=pl.Float64
        ),
        attributed_revenue=pl.col("label").replace_strict(
            credit["revenue"], default=0.0, return_dtype=pl.Float64
        ),
    )
    people = pl.col("people")
    others = pl.lit(int(totals["people"] or 0)) - people
    rates = []
    for name in _OUTCOMES:
        rates.append(pl.when(people > 0).then(pl.col(name) / people).alias(f"{name}_rate"))
        rest = pl.lit(int(totals[name] or 0)) - pl.col(name)
        rates.append(pl.when(others > 0).then(rest / others).alias(f"{name}_rate_others"))
    judged = pl.col("mql")
    others_judged = pl.lit(int(totals["mql"] or 0)) - judged
    others_misinformed = pl.lit(int(totals["misinformed"] or 0)) - pl.col("misinformed")
    rates.append(pl.when(judged > 0).then(pl.col("misinformed") / judged).alias("misinformed_rate"))
    rates.append(
        pl.when(others_judged > 0)
        .then(others_misinformed / others_judged)
        .alias("misinformed_rate_others")
    )
    frame = frame.with_columns(rates)
    frame = frame.with_columns(_rate_parts(totals, people, others))
    touches = pl.col("touches")
    frame = frame.with_columns(
        pipeline_per_touch=pl.when(touches > 0).then(pl.col("attributed_pipeline") / touches),
        revenue_per_touch=pl.when(touches > 0).then(pl.col("attributed_revenue") / touches),
        misinformed_lift=pl.when(pl.col("misinformed_rate_others") > 0).then(
            pl.col("misinformed_rate") / pl.col("misinformed_rate_others")
        ),
    )
    frame = frame.with_columns(misinformed_p=_excess_p_value(frame))
    used = frame.filter(touches > 0)
    median_touches = float(used.select(pl.col("touches").median()).item() or 0.0)
    all_touches = int(used["touches"].sum()) if used.height else 0
    average = float(used["attributed_revenue"].sum()) / all_touches if all_touches else 0.0
    many = (touches > 0) & (touches >= median_touches)
    little = many & (pl.col("revenue_per_touch") < LITTLE_REVENUE * average)
    # Bonferroni over the assets people saw: dozens of assets are tested at once.
    significant = pl.col("misinformed_p") < MISINFORMS_SIGNIFICANCE / max(used.height, 1)
    misinforms = significant & (pl.col("misinformed_lift").fill_null(0.0) >= MISINFORMS_LIFT)
    nothing = pl.lit([], pl.List(pl.String))
    frame = frame.with_columns(
        many_touches=many,
        flags=pl.concat_list(
            pl.when(little).then(pl.lit([FLAG_LITTLE_REVENUE])).otherwise(nothing),
            pl.when(misinforms).then(pl.lit([FLAG_MISINFORMS])).otherwise(nothing),
        ),
    )
    frame = frame.sort(
        ["many_touches", "revenue_per_touch", "touches", "content_id"],
        descending=[True, False, True, False],
        nulls_last=True,
    )
    first = ["content_id", "title", "kind", "campaign", "flags", "touches", "downloads", "views"]
    return frame.select(*first, *(c for c in frame.columns if c not in first and c != "label"))
