"""Multi-touch attribution pushed down to the query engine.

The heavy part -- picking the touches that count, ordering every journey, weighting
touches, counting transitions -- is one ibis expression per model, run by the engine
that holds the data (SQLite, PostgreSQL, Spark, DuckDB). Python receives tables of a
few hundred rows and hands them to the models of :mod:`revloop.engine.attribution`.

Journeys
--------
The ``outcome`` decides what converts and what a journey is:

- ``mql``: a person, converting the first time they reach MQL (or any later stage of
  the success path) with value 1;
- ``pipeline``: an opportunity's buying group, converting when the opportunity is
  created, with its amount as value;
- ``revenue``: the buying group of a won opportunity, converting when it closed
  (``closed_at``, else ``close_date``), with its amount as value.

With a ``period`` (:mod:`revloop.engine.period`), only conversions in it convert: MQLs reached,
opportunities created, deals closed in the period. A journey that converted outside
it is left out altogether rather than counted as one that did not convert.

A buying group's touches are those of the opportunity's contacts
(``contacts="all"``: the OpportunityContact rows and the primary contact) or of its
primary contact alone (``contacts="primary"``). Everyone who is in no converting
journey is a journey of their own that did not convert (only the Markov model reads
those). An opportunity's journey id is ``-opportunity.id``, a person's is their id.

Which touches count follows :func:`revloop.engine.attribution.build_journeys`
exactly: touches of identified people with a label at the ``level`` (channel, the
campaign's name, the content's title -- with ``(#id)`` added where titles repeat),
in time order (ties by touch id); for a converting journey those at or before the
conversion and at most ``lookback_days`` before it, for the others those at most
``lookback_days`` before their last touch. Milestones for W-shaped and full path: the
last counted touch at or before the lead's creation (a buying group's earliest) and
at or before the opportunity's creation.

What runs where
---------------
- :func:`markov_counts`: transition counts by window functions (``lag``/``lead``/
  ``row_number``), then :func:`revloop.engine.attribution.counts.markov_from_counts`
  solves the chain;
- :func:`rule_based`: every position model's per-touch weight as arithmetic on the
  touch's position, its journey's length and milestone positions (window functions),
  and time decay's as a windowed sum; the engine sums credit per label, for all the
  models in one query;
- :func:`shapley_sets`: each converting journey's set of labels as a bitmask,
  aggregated by set with conversions and value; the Shapley code runs on those sets.
  Beyond 62 labels a mask no longer fits in 64 bits: the engine then computes the
  exact closed form (each journey's outcome split equally over its labels) itself;
- :func:`fetch_journeys` brings the counted touches home as compact arrays and
  builds :class:`~revloop.engine.attribution.Journeys`, for anything not pushed down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

import numpy as np
import polars as pl

from revloop.engine.analytics._ibis import Expr, Table, ibis, null, real
from revloop.engine.analytics.stages import stage_events
from revloop.engine.analytics.tables import (
    US_PER_DAY,
    Tables,
    checkpoint,
    in_scratch,
    join_on,
    to_polars,
    union_all,
)
from revloop.engine.attribution import (
    AttributionOptions,
    AttributionResult,
    Journeys,
    Outcomes,
    Touches,
    build_journeys,
    shapley,
)
from revloop.engine.attribution.counts import End, Move, TransitionCounts, markov_from_counts
from revloop.engine.attribution.journeys import FloatArray, IntArray
from revloop.engine.attribution.markov import MAX_ORDER
from revloop.engine.period import Period
from revloop.engine.vocabulary import OpportunityStage

Outcome = Literal["mql", "pipeline", "revenue"]
Level = Literal["channel", "campaign", "content"]
Contacts = Literal["all", "primary"]

#: The models :func:`rule_based` pushes down, with their role weights (first, last,
#: rest, lead milestone, opportunity milestone) as in ``attribution.heuristic``.
POSITION_MODELS: dict[str, tuple[float, float, float, float, float]] = {
    "first": (1.0, 0.0, 0.0, 0.0, 0.0),
    "last": (0.0, 1.0, 0.0, 0.0, 0.0),
    "linear": (0.0, 0.0, 1.0, 0.0, 0.0),
    "u_shaped": (0.4, 0.4, 0.2, 0.0, 0.0),
    "full_path": (0.225, 0.225, 0.1, 0.225, 0.225),
    "j_shaped": (0.2, 0.6, 0.2, 0.0, 0.0),
    "inverse_j": (0.6, 0.2, 0.2, 0.0, 0.0),
}
RULE_BASED = (*POSITION_MODELS, "w_shaped", "time_decay")
# Bits 0..61 of a signed 64-bit sum; bit 62 would make the sum of all bits overflow.
_MAX_MASK_LABELS = 62


@dataclass(frozen=True)
class JourneyQuery:
    """Which journeys, touches and outcome an attribution runs on (module docstring)."""

    outcome: Outcome = "pipeline"
    level: Level = "channel"
    lookback_days: float | None = 90.0
    contacts: Contacts = "all"
    #: Only conversions in this period count; ``None``: all time.
    period: Period | None = None

    def __post_init__(self) -> None:
        for name, kind in (("outcome", Outcome), ("level", Level), ("contacts", Contacts)):
            if getattr(self, name) not in get_args(kind):
                choices = ", ".join(get_args(kind))
                raise ValueError(f"{name}: {getattr(self, name)!r} is not one of {choices}")
        if self.lookback_days is not None and not self.lookback_days > 0:
            raise ValueError(f"lookback_days must be > 0 or None, got {self.lookback_days}")

    @property
    def lookback_us(self) -> int | None:
        if self.lookback_days is None:
            return None
        return round(self.lookback_days * US_PER_DAY)

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "level": self.level,
            "lookback_days": self.lookback_days,
            "contacts": self.contacts,
            "period": None if self.period is None else self.period.as_dict(),
        }


def attribution_columns(query: JourneyQuery) -> dict[str, tuple[str, ...]]:
    """The normalised columns an attribution over ``query`` reads (for
    :func:`~revloop.engine.analytics.materialize` of just those)."""
    touch_label = {"channel": "channel", "campaign": "campaign_id", "content": "content_id"}
    columns: dict[str, tuple[str, ...]] = {
        "touch": ("id", "person_id", "occurred_us", touch_label[query.level]),
        "person": ("id", "created_us", "stage", "stage_changed_us"),
    }
    if query.level == "campaign":
        columns["campaign"] = ("id", "name")
    elif query.level == "content":
        columns["content"] = ("id", "title")
    if query.outcome == "mql":
        columns["transition"] = ("id", "person_id", "to_stage", "at_us")
    else:
        columns["opportunity"] = (
            "id",
            "primary_contact_id",
            "amount",
            "stage",
            "close_date_us",
            "created_us",
            "closed_us",
        )
        columns["opportunity_contact"] = ("opportunity_id", "person_id")
    return columns


# The journeys, as expressions ---------------------------------------------------------


def labelled_touches(tables: Tables, level: Level) -> Table:
    """``person_id, touch_id, at_us, label``: identified people's touches with a label."""
    touch = tables.touch
    touch = touch.filter(touch.person_id.notnull())
    if level == "channel":
        labelled = touch.select(
            person_id=touch.person_id,
            touch_id=touch.id,
            at_us=touch.occurred_us,
            label=touch.channel,
        )
    elif level == "campaign":
        campaign = tables.campaign
        joined = touch.join(campaign, touch.campaign_id == campaign.id)
        labelled = joined.select(
            person_id=touch.person_id,
            touch_id=touch.id,
            at_us=touch.occurred_us,
            label=campaign.name,
        )
    else:
        content = content_labels(tables)
        joined = touch.join(content, touch.content_id == content.content_id)
        labelled = joined.select(
            person_id=touch.person_id,
            touch_id=touch.id,
            at_us=touch.occurred_us,
            label=content.label,
        )
    return checkpoint(labelled.filter(labelled.label.notnull() & (labelled.label != "")), tables)


def content_labels(tables: Tables) -> Table:
    """``content_id, label``: the asset's title, with ``(#id)`` where titles repeat."""
    content = tables.content
    repeats = content.id.count().over(ibis.window(group_by=content.title))
    return content.select(
        content_id=content.id,
        label=ibis.ifelse(
            repeats > 1, content.title + " (#" + content.id.cast("string") + ")", content.title
        ),
    )


def conversions(tables: Tables, query: JourneyQuery) -> tuple[Table, Table]:
    """The converting journeys, and who is in them.

    Returns ``journey, converted_us, value, lead_us, opp_us`` (one row per converting
    journey) and the same columns with ``person_id`` (one row per member).
    """
    person = tables.person
    if query.outcome == "mql":
        events = stage_events(tables)
        reached = events.filter(events["rank"] >= 1)
        first = reached.group_by("person_id").agg(converted_us=reached.at_us.min())
        if query.period is not None:
            first = first.filter(_within(first.converted_us, query.period))
        joined = first.join(person, first.person_id == person.id)
        converting = joined.select(
            journey=first.person_id,
            converted_us=first.converted_us,
            value=real(1.0),
            lead_us=person.created_us,
            opp_us=null("int64"),
        )
        converting = checkpoint(converting, tables, index=("journey",))
        return converting, converting.mutate(person_id=converting.journey)

    opportunity = tables.opportunity
    if query.period is not None:
        opportunity = opportunity.filter(_in_period(opportunity, query))
    if query.outcome == "revenue":
        opportunity = opportunity.filter(opportunity.stage == OpportunityStage.WON.value)
        converted_us = opportunity.closed_us.fill_null(opportunity.close_date_us)
    else:
        converted_us = opportunity.created_us
    opportunities = opportunity.select(
        journey=-opportunity.id,
        opportunity_id=opportunity.id,
        converted_us=converted_us,
        value=opportunity.amount.fill_null(0.0),
        opp_us=opportunity.created_us,
        primary_contact_id=opportunity.primary_contact_id,
    )
    opportunities = opportunities.filter(opportunities.converted_us.notnull())
    primary = opportunities.filter(opportunities.primary_contact_id.notnull()).select(
        journey="journey", person_id="primary_contact_id"
    )
    if query.contacts == "primary":
        members = primary
    else:
        contact = tables.opportunity_contact
        # Joined on the plain id: SQLite uses no index for a computed key.
        listed = contact.join(opportunities, contact.opportunity_id == opportunities.opportunity_id)
        listed = listed.select(journey=opportunities.journey, person_id=contact.person_id)
        members = union_all(listed, primary).distinct()
    members = checkpoint(
        members.filter(members.person_id.notnull()), tables, index=("journey", "person_id")
    )
    joined = members.join(person, members.person_id == person.id)
    lead = joined.group_by(joined.journey).agg(lead_us=person.created_us.min())
    converting = join_on(
        opportunities.drop("primary_contact_id", "opportunity_id"), lead, "journey", "left"
    )
    converting = checkpoint(converting, tables, index=("journey",))
    with_conversion = join_on(members, converting, "journey")
    return converting, checkpoint(with_conversion, tables, index=("person_id",))


def _within(moment: Expr, period: Period, start: int | None = None, end: int | None = None) -> Expr:
    """``start <= moment < end`` (the period's own edges unless given); an open side
    holds anything."""
    start = period.start_us if start is None else start
    end = period.end_us if end is None else end
    inside: Expr = ibis.literal(True)
    if start is not None:
        inside &= moment >= start
    if end is not None:
        inside &= moment < end
    return inside


def _in_period(opportunity: Table, query: JourneyQuery) -> Expr:
    """Whether an opportunity's conversion falls in the query's period: created for
    pipeline; for revenue closed, by its close moment or else its close date's day."""
    period = query.period
    assert period is not None
    if query.outcome != "revenue":
        return _within(opportunity.created_us, period)
    on_day = _within(
        opportunity.close_date_us, period, period.first_day_us, period.after_last_day_us
    )
    return ibis.ifelse(
        opportunity.closed_us.notnull(), _within(opportunity.closed_us, period), on_day
    )


def converting_touches(tables: Tables, query: JourneyQuery) -> Table:
    """``journey, touch_id, at_us, label, converted_us, value, lead_us, opp_us``: the
    touches that count for each converting journey."""
    _, members = conversions(tables, query)
    touches = labelled_touches(tables, query.level)
    joined = members.join(touches, members.person_id == touches.person_id)
    counted = joined.select(
        journey=members.journey,
        touch_id=touches.touch_id,
        at_us=touches.at_us,
        label=touches.label,
        converted_us=members.converted_us,
        value=members.value,
        lead_us=members.lead_us,
        opp_us=members.opp_us,
    )
    keep = counted.at_us <= counted.converted_us
    if query.lookback_us is not None:
        keep &= counted.at_us >= counted.converted_us - query.lookback_us
    return checkpoint(counted.filter(keep), tables, index=("journey",))


def journey_touches(tables: Tables, query: JourneyQuery) -> Table:
    """``journey, touch_id, at_us, label, converted, value``: the counted touches of
    every journey, converting (``converted`` 1) or not (0)."""
    converting = converting_touches(tables, query)
    # Journeys converting outside the period are neither converting nor not.
    _, members = conversions(tables, replace(query, period=None))
    touches = labelled_touches(tables, query.level)
    others = touches.anti_join(members, touches.person_id == members.person_id)
    others = others.select(
        journey=others.person_id, touch_id=others.touch_id, at_us=others.at_us, label=others.label
    )
    if query.lookback_us is not None:
        # A window function cannot sit in a filter that ibis compiles for SQLite:
        # compute it as a column first.
        others = others.mutate(last_us=others.at_us.max().over(ibis.window(group_by="journey")))
        others = others.filter(others.at_us >= others.last_us - query.lookback_us)
    columns = ("journey", "touch_id", "at_us", "label")
    return checkpoint(
        union_all(
            converting.select(*columns, converted=ibis.literal(1, "int64"), value="value"),
            others.select(*columns, converted=ibis.literal(0, "int64"), value=real(0.0)),
        ),
        tables,
    )


def _in_order(table: Table) -> Any:
    return ibis.window(group_by=table.journey, order_by=[table.at_us, table.touch_id])


# Markov -------------------------------------------------------------------------------


@in_scratch
def markov_counts(
    tables: Tables,
    query: JourneyQuery | None = None,
    *,
    order: int = 1,
    collapse_repeats: bool = True,
) -> TransitionCounts:
    """Transition counts of the order-``order`` chain over every journey, by the engine.

    ``collapse_repeats`` merges consecutive touches of one label before states are
    built (``repeats="collapse"`` of :func:`revloop.engine.attribution.markov`),
    otherwise every touch is a step (``"keep"``).
    """
    query = query or JourneyQuery()
    if not 1 <= order <= MAX_ORDER:
        raise ValueError(f"order must be 1..{MAX_ORDER}, got {order}")
    rows = journey_touches(tables, query)
    # At order 1 a collapsed walk's moves are exactly the raw moves between different
    # labels, and its first and last states are the raw first and last touches: one
    # window pass. Higher orders need the collapsed sequence first.
    single_pass = order == 1 or not collapse_repeats
    if not single_pass:
        previous = rows.label.lag().over(_in_order(rows))
        rows = rows.mutate(previous=previous)
        rows = rows.filter(rows.previous.isnull() | (rows.previous != rows.label)).drop("previous")
    window = _in_order(rows)
    lags = {f"lag_{j}": rows.label.lag(j).over(window) for j in range(1, order + 1)}
    steps = rows.mutate(
        position=ibis.row_number().over(window),
        last=rows.label.lead().over(window).isnull(),
        **lags,
    )
    shown = (steps.position >= order - 1) | steps["last"]
    steps = steps.filter(shown)
    # The state a step moves from is the window ending one touch earlier; the first
    # full window (and a path shorter than the order) moves from start.
    origin = {
        f"from_{j}": ibis.ifelse(steps.position >= order, steps[f"lag_{j}"], null("string"))
        for j in range(1, order + 1)
    }
    target = {"to_0": steps.label, **{f"to_{j}": steps[f"lag_{j}"] for j in range(1, order)}}
    grouped = steps.select(
        **origin, **target, last=steps["last"], converted=steps.converted, value=steps.value
    )
    keys = [*origin, *target, "last"]
    counted = grouped.group_by(keys).agg(
        n=grouped.count(), conversions=grouped.converted.sum(), value=grouped.value.sum()
    )
    frame = to_polars(counted, tables)
    return _counts_from_frame(frame, order, collapse_repeats and order == 1)


def _counts_from_frame(frame: pl.DataFrame, order: int, skip_repeats: bool) -> TransitionCounts:
    moves: list[Move] = []
    ends: list[End] = []
    for row in frame.iter_rows(named=True):
        origin = tuple(
            row[f"from_{j}"] for j in range(order, 0, -1) if row[f"from_{j}"] is not None
        )
        state = tuple(
            row[f"to_{j}"] for j in range(order - 1, -1, -1) if row[f"to_{j}"] is not None
        )
        n, converted = float(row["n"]), float(row["conversions"] or 0)
        if not (skip_repeats and origin == state):
            moves.append((origin, state, n))
        if row["last"]:
            ends.append((state, converted, n - converted, float(row["value"] or 0.0)))
    return TransitionCounts.from_moves(moves, ends)


def markov(
    tables: Tables,
    query: JourneyQuery | None = None,
    *,
    order: int = 1,
    collapse_repeats: bool = True,
) -> AttributionResult:
    """Markov attribution: counts by the engine, exact removal effects in Python."""
    counts = markov_counts(tables, query, order=order, collapse_repeats=collapse_repeats)
    repeats = "collapse" if collapse_repeats else "keep"
    return markov_from_counts(
        counts, detail=f"order {order}, repeats {repeats}, counted by {tables.engine}"
    )


# Rule-based models ---------------------------------------------------------------------


def _weight(x: Expr) -> Expr:
    return ibis.ifelse(x, real(1.0), real(0.0))


def _role_weight(
    position: Expr,
    length: Expr,
    lead_step: Expr,
    opportunity_step: Expr,
    weights: tuple[float, float, float, float, float],
) -> Expr:
    """One touch's weight under a position model, as ``heuristic._role_weights``
    computes it, in closed form per journey.

    Each role with a weight hits one known position (first 0, last n-1, a milestone
    when known). The touches in no role share ``rest`` equally; their number is the
    length minus the number of distinct role positions, and the journey's raw weights
    add up to the known roles' weights plus ``rest`` when a rest touch exists.
    """
    first, last, rest, lead, opportunity = weights
    roles = [
        (first, ibis.literal(0, "int64"), ibis.literal(True)),
        (last, length - 1, ibis.literal(True)),
        (lead, lead_step, lead_step >= 0),
        (opportunity, opportunity_step, opportunity_step >= 0),
    ]
    active = [(w, at, known) for w, at, known in roles if w]
    raw: Expr = real(0.0)
    in_role: Expr = ibis.literal(False)
    distinct: Expr = ibis.literal(0, "int64")
    total: Expr = real(0.0)
    for i, (w, at, known) in enumerate(active):
        hit = known & (position == at)
        raw = raw + w * _weight(hit)
        in_role = in_role | hit
        new = known
        for _, earlier, earlier_known in active[:i]:
            new = new & (~earlier_known | (earlier != at))
        distinct = distinct + ibis.ifelse(new, 1, 0)
        total = total + w * _weight(known)
    if rest:
        rest_count = length - distinct
        share = rest / rest_count.cast("float64").nullif(0.0)
        raw = raw + ibis.ifelse(in_role, real(0.0), share)
        total = total + rest * _weight(rest_count > 0)
    return raw / total


@in_scratch
def rule_based(
    tables: Tables,
    query: JourneyQuery | None = None,
    *,
    models: Sequence[str] = RULE_BASED,
    options: AttributionOptions | None = None,
) -> dict[str, AttributionResult]:
    """Every requested rule-based model in one query; results keyed by model name.

    Weights follow ``attribution.heuristic`` exactly (``options`` sets time decay's
    half-life and W-shaped's milestone); only converting journeys carry credit, so
    only their touches are read.
    """
    query = query or JourneyQuery()
    options = options or AttributionOptions()
    unknown = [m for m in models if m not in RULE_BASED]
    if unknown:
        raise ValueError(f"not rule-based models: {unknown}; choose from {', '.join(RULE_BASED)}")
    touches = converting_touches(tables, query)
    journey = ibis.window(group_by=touches.journey)
    steps = touches.mutate(
        position=ibis.row_number().over(_in_order(touches)),
        length=touches.count().over(journey),
        lead_step=ibis.ifelse(touches.at_us <= touches.lead_us, 1, 0).sum().over(journey) - 1,
        opportunity_step=ibis.ifelse(touches.at_us <= touches.opp_us, 1, 0).sum().over(journey) - 1,
        newest_us=touches.at_us.max().over(journey),
    )
    weights: dict[str, Expr] = {}
    if "time_decay" in models:
        if not options.half_life_days > 0:
            raise ValueError(f"half_life_days must be > 0, got {options.half_life_days}")
        # As heuristic.time_decay: ages in days, shifted by the journey's youngest
        # touch so that the largest weight is 1.
        age = (steps.converted_us - steps.at_us) / US_PER_DAY
        youngest = (steps.converted_us - steps.newest_us) / US_PER_DAY
        steps = steps.mutate(decay=real(2.0) ** (-(age - youngest) / options.half_life_days))
        steps = steps.mutate(decay_total=steps.decay.sum().over(ibis.window(group_by="journey")))
        weights["time_decay"] = steps.decay / steps.decay_total
    for model in models:
        if model == "time_decay":
            continue
        if model == "w_shaped":
            on_lead = options.w_milestone == "lead"
            role = (0.3, 0.3, 0.1, 0.3 if on_lead else 0.0, 0.0 if on_lead else 0.3)
        else:
            role = POSITION_MODELS[model]
        weights[model] = _role_weight(
            steps.position, steps.length, steps.lead_step, steps.opportunity_step, role
        )
    credited = steps.select(
        label=steps.label,
        value=steps.value,
        **{f"w_{model}": expr for model, expr in weights.items()},
    )
    sums: dict[str, Expr] = {}
    for model in weights:
        sums[f"c_{model}"] = credited[f"w_{model}"].sum()
        sums[f"v_{model}"] = (credited[f"w_{model}"] * credited.value).sum()
    frame = to_polars(credited.group_by("label").agg(**sums), tables).sort("label")
    labels = tuple(frame["label"].to_list())
    results: dict[str, AttributionResult] = {}
    for model in models:
        results[model] = AttributionResult(
            model=model,
            channels=labels,
            conversions=frame[f"c_{model}"].fill_null(0.0).to_numpy().astype(np.float64),
            value=frame[f"v_{model}"].fill_null(0.0).to_numpy().astype(np.float64),
            method=f"per-touch weights and sums by {tables.engine}",
        )
    return results


# Shapley -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LabelSets:
    """Converting journeys grouped by their set of labels: ``masks[i]`` has bit ``j``
    set when the set contains ``labels[j]``; ``conversions[i]`` journeys had that set,
    with ``value[i]`` in total."""

    labels: tuple[str, ...]
    masks: IntArray
    conversions: FloatArray
    value: FloatArray

    def journeys(self) -> Journeys:
        """One path per set, its labels in label order: enough for Shapley, which
        reads neither order nor repeats."""
        n = len(self.labels)
        bits = (self.masks[:, None] >> np.arange(n, dtype=np.int64)[None, :]) & 1
        rows, columns = np.nonzero(bits)
        lengths = bits.sum(axis=1).astype(np.int64)
        offsets = np.zeros(lengths.size + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return Journeys(
            channels=self.labels,
            offsets=offsets,
            steps=columns.astype(np.int32)[np.argsort(rows, kind="stable")],
            conversions=self.conversions.astype(np.float64),
            value=self.value.astype(np.float64),
            nulls=np.zeros(lengths.size),
        )


@in_scratch
def shapley_sets(tables: Tables, query: JourneyQuery | None = None) -> LabelSets | None:
    """The label sets of converting journeys, aggregated by the engine; ``None`` when
    there are more labels than a 64-bit mask holds."""
    query = query or JourneyQuery()
    touches = converting_touches(tables, query)
    found = to_polars(touches.select("label").distinct(), tables)
    labels = tuple(sorted(found["label"].to_list()))
    if len(labels) > _MAX_MASK_LABELS:
        return None
    bit = touches.label.substitute(
        {label: 1 << i for i, label in enumerate(labels)}, else_=ibis.literal(0, "int64")
    ).cast("int64")
    pairs = touches.select(
        journey=touches.journey, label=touches.label, bit=bit, value=touches.value
    )
    pairs = pairs.group_by("journey", "label").agg(
        bit=lambda t: t.bit.max(), value=lambda t: t.value.max()
    )
    sets = pairs.group_by("journey").agg(mask=pairs.bit.sum(), value=pairs.value.max())
    by_mask = sets.group_by("mask").agg(conversions=sets.count(), value=sets.value.sum())
    frame = to_polars(by_mask, tables).sort("mask")
    return LabelSets(
        labels=labels,
        masks=frame["mask"].to_numpy().astype(np.int64),
        conversions=frame["conversions"].to_numpy().astype(np.float64),
        value=frame["value"].fill_null(0.0).to_numpy().astype(np.float64),
    )


@in_scratch
def shapley_pushdown(
    tables: Tables,
    query: JourneyQuery | None = None,
    *,
    options: AttributionOptions | None = None,
) -> AttributionResult:
    """Shapley attribution from label sets (or, past 62 labels, the closed form
    computed by the engine)."""
    query = query or JourneyQuery()
    options = options or AttributionOptions()
    sets = shapley_sets(tables, query)
    if sets is not None:
        result = shapley(sets.journeys(), max_exact_channels=options.shapley_max_exact_channels)
        return AttributionResult(
            model="shapley",
            channels=result.channels,
            conversions=result.conversions,
            value=result.value,
            method=f"{result.method}; label sets by {tables.engine}",
        )
    touches = converting_touches(tables, query)
    pairs = touches.group_by("journey", "label").agg(value=lambda t: t.value.max())
    size = pairs.count().over(ibis.window(group_by=pairs.journey)).cast("float64")
    shares = pairs.select(label=pairs.label, conversions=real(1.0) / size, value=pairs.value / size)
    frame = to_polars(
        shares.group_by("label").agg(
            conversions=shares.conversions.sum(), value=shares.value.sum()
        ),
        tables,
    ).sort("label")
    return AttributionResult(
        model="shapley",
        channels=tuple(frame["label"].to_list()),
        conversions=frame["conversions"].to_numpy().astype(np.float64),
        value=frame["value"].to_numpy().astype(np.float64),
        method=f"exact closed form (equal split over each journey's labels) by {tables.engine}",
    )


# Journeys in Python ---------------------------------------------------------------------


@in_scratch
def fetch_journeys(tables: Tables, query: JourneyQuery | None = None) -> Journeys:
    """The counted touches of every journey as ``Journeys`` (arrays, via Arrow).

    For models that are not pushed down; the engine still filters and joins, Python
    only orders and packs the rows.
    """
    query = query or JourneyQuery()
    touches = journey_touches(tables, query)
    converting, _ = conversions(tables, query)
    rows = to_polars(touches, tables).sort("journey", "at_us", "touch_id")
    outcomes = to_polars(converting, tables)
    at = rows["at_us"].to_numpy().astype("datetime64[us]")
    return build_journeys(
        Touches(journey=rows["journey"].to_numpy(), at=at, label=rows["label"].to_numpy()),
        Outcomes(
            journey=outcomes["journey"].to_numpy(),
            converted=np.ones(outcomes.height, dtype=bool),
            converted_at=outcomes["converted_us"].to_numpy().astype("datetime64[us]"),
            value=outcomes["value"].fill_null(0.0).to_numpy().astype(np.float64),
            lead_created_at=_times(outcomes["lead_us"]),
            opportunity_created_at=_times(outcomes["opp_us"]),
        ),
    )


def _times(column: pl.Series) -> Any:
    return column.cast(pl.Datetime("us")).to_numpy().astype("datetime64[us]")


@dataclass(frozen=True)
class Totals:
    """What there was to attribute, and what no touch could explain."""

    conversions: float
    value: float
    attributed_conversions: float
    attributed_value: float

    @property
    def unattributed_conversions(self) -> float:
        return self.conversions - self.attributed_conversions

    @property
    def unattributed_value(self) -> float:
        return self.value - self.attributed_value


@in_scratch
def totals(tables: Tables, query: JourneyQuery | None = None) -> Totals:
    """All conversions of the outcome, and those with a counted touch."""
    query = query or JourneyQuery()
    converting, _ = conversions(tables, query)
    touched = converting_touches(tables, query).select("journey").distinct()
    marked = converting.left_join(touched, converting.journey == touched.journey).select(
        value=converting.value, touched=touched.journey.notnull()
    )
    frame = to_polars(
        marked.aggregate(
            conversions=marked.count(),
            value=marked.value.sum(),
            attributed_conversions=ibis.ifelse(marked.touched, 1, 0).sum(),
            attributed_value=ibis.ifelse(marked.touched, marked.value, real(0.0)).sum(),
        ),
        tables,
    )
    row = frame.row(0, named=True)
    return Totals(**{k: float(v or 0.0) for k, v in row.items()})


@dataclass(frozen=True)
class AttributionReport:
    """One model's credit per label, with what it ran on."""

    result: AttributionResult
    query: JourneyQuery
    totals: Totals
    engine: str

    def as_dict(self) -> dict[str, Any]:
        result = self.result
        return {
            "model": result.model,
            **self.query.as_dict(),
            "engine": self.engine,
            "method": result.method,
            "total_conversions": self.totals.conversions,
            "total_value": self.totals.value,
            "unattributed_conversions": self.totals.unattributed_conversions,
            "unattributed_value": self.totals.unattributed_value,
            "credit": [
                {
                    "label": label,
                    "conversions": float(result.conversions[i]),
                    "value": float(result.value[i]),
                    **{name: float(array[i]) for name, array in result.extras.items()},
                }
                for i, label in enumerate(result.channels)
            ],
        }


@in_scratch
def attribute(
    tables: Tables,
    model: str,
    query: JourneyQuery | None = None,
    *,
    options: AttributionOptions | None = None,
) -> AttributionReport:
    """Run one model (a key of ``attribution.MODELS``) pushed down to the engine."""
    query = query or JourneyQuery()
    options = options or AttributionOptions()
    if model in RULE_BASED:
        result = rule_based(tables, query, models=(model,), options=options)[model]
    elif model == "markov":
        if options.markov_repeats == "channelattribution":
            raise ValueError("markov_repeats 'channelattribution' is not pushed down")
        result = markov(
            tables,
            query,
            order=options.markov_order,
            collapse_repeats=options.markov_repeats == "collapse",
        )
    elif model == "shapley":
        result = shapley_pushdown(tables, query, options=options)
    else:
        raise ValueError(f"unknown attribution model {model!r}")
    return AttributionReport(
        result=result, query=query, totals=totals(tables, query), engine=tables.engine
    )
