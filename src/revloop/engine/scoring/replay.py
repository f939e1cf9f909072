"""Replay history under a contract: when would its MQL rule first have held for each person?

A backtest asks what a draft contract *would have done*: which people it would have
handed to Sales over the last year, and when. The answer comes from the same
vectorized scoring as live scores, evaluated at many moments at once.

Evaluation moments: for every person, the moment of their last touch on each UTC day
on which they had one, plus the moment they were created (when the people frame has a
``created_at`` column), inside ``[start, end)``. Between two such moments engagement
only fades, so the MQL rule can only start to hold at one of them (up to touches that
count negatively and fade faster than the rest, which this ignores; and several
touches on one day count together, as a daily scoring run would see them).

How: each (person, moment) pair becomes a *virtual person* whose touches are shifted
forward by ``end - moment``. Scored as of ``end``, the shifted touches have exactly
the ages they had at the moment, and touches after the moment land after ``end``,
which scoring ignores. One engine call thus scores thousands of moments; pairs are
processed in batches of bounded size so memory stays flat.

Fit uses the people's fields as they are now: firmographics are not versioned.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from revloop.engine.contract.schema import GRADES, Contract
from revloop.engine.scoring.inputs import OCCURRED_AT, PERSON_ID, ScoringInputError
from revloop.engine.scoring.rules import score_people

CREATED_AT = "created_at"
MQL_AT = "mql_at"

#: Touch rows (after replication) scored per engine call.
DEFAULT_BATCH_ROWS = 3_000_000

_UTC = pl.Datetime("us", "UTC")


def first_mql_moments(
    contract: Contract,
    people: pl.DataFrame,
    touches: pl.DataFrame,
    *,
    start: dt.datetime,
    end: dt.datetime,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> pl.DataFrame:
    """``person_id`` and ``mql_at``: the first evaluation moment in ``[start, end)`` at
    which the contract's MQL rule holds, for each person for whom it ever does."""
    if start >= end:
        raise ValueError("start must be before end")
    empty = pl.DataFrame(schema={PERSON_ID: pl.Int64, MQL_AT: _UTC})
    if people.height == 0:
        return empty
    candidates = _fit_candidates(contract, people, touches, end)
    if candidates.height == 0:
        return empty
    touches = touches.filter(pl.col(PERSON_ID).is_in(candidates[PERSON_ID].implode()))
    moments = _moments(candidates, touches, start, end)
    if moments.height == 0:
        return empty
    hits = pl.concat(
        [
            _eligible_moments(contract, candidates, touches, batch, end)
            for batch in _batches(moments, touches, batch_rows)
        ]
    )
    return (
        hits.group_by(PERSON_ID)
        .agg(pl.col(MQL_AT).min())
        .sort(PERSON_ID)
        .cast({PERSON_ID: pl.Int64, MQL_AT: _UTC})
    )


def _fit_candidates(
    contract: Contract, people: pl.DataFrame, touches: pl.DataFrame, end: dt.datetime
) -> pl.DataFrame:
    """People whose fit alone does not rule them out (fit never changes over time)."""
    base = score_people(contract, people, touches.clear(), end)
    rule = contract.mql
    possible = ~base.disqualified
    if rule.min_fit is not None:
        possible &= base.fit >= rule.min_fit
    if rule.min_grade is not None:
        possible &= base.grade <= GRADES.index(rule.min_grade)
    keep = pl.Series(PERSON_ID, base.person_id[possible])
    return people.filter(pl.col(PERSON_ID).is_in(keep.implode()))


def _moments(
    people: pl.DataFrame, touches: pl.DataFrame, start: dt.datetime, end: dt.datetime
) -> pl.DataFrame:
    """One row per (person, moment) to evaluate, numbered ``virtual`` from 0."""
    if OCCURRED_AT not in touches.columns:
        raise ScoringInputError(f"touches: missing column {OCCURRED_AT!r}")
    in_window = (pl.col(OCCURRED_AT) >= start) & (pl.col(OCCURRED_AT) < end)
    daily = (
        touches.select(PERSON_ID, pl.col(OCCURRED_AT).cast(_UTC))
        .filter(in_window)
        .group_by(PERSON_ID, pl.col(OCCURRED_AT).dt.date().alias("day"))
        .agg(pl.col(OCCURRED_AT).max().alias("moment"))
        .select(PERSON_ID, "moment")
    )
    parts = [daily]
    if CREATED_AT in people.columns:
        created = (
            people.select(PERSON_ID, pl.col(CREATED_AT).cast(_UTC).alias("moment"))
            .drop_nulls()
            .filter((pl.col("moment") >= start) & (pl.col("moment") < end))
        )
        parts.append(created)
    return (
        pl.concat(parts)
        .cast({PERSON_ID: pl.Int64})
        .unique()
        .sort(PERSON_ID, "moment")
        .with_row_index("virtual")
        .cast({"virtual": pl.Int64})
    )


def _batches(moments: pl.DataFrame, touches: pl.DataFrame, batch_rows: int) -> list[pl.DataFrame]:
    """Split the moments by person so that each batch replicates about ``batch_rows``."""
    counts = touches.group_by(PERSON_ID).len("touches")
    per_person = (
        moments.group_by(PERSON_ID)
        .len("moments")
        .join(counts, on=PERSON_ID, how="left")
        .with_columns(pl.col("touches").fill_null(0))
        .sort(PERSON_ID)
    )
    cost = (per_person["moments"] * (per_person["touches"] + 1)).to_numpy()
    batch = np.cumsum(cost) // max(batch_rows, 1)
    numbered = per_person.select(PERSON_ID).with_columns(pl.Series("batch", batch))
    tagged = moments.join(numbered, on=PERSON_ID, how="left")
    return [part.drop("batch") for part in tagged.partition_by("batch", maintain_order=True)]


def _eligible_moments(
    contract: Contract,
    people: pl.DataFrame,
    touches: pl.DataFrame,
    moments: pl.DataFrame,
    end: dt.datetime,
) -> pl.DataFrame:
    virtual_people = (
        moments.select("virtual", PERSON_ID)
        .join(people.drop(CREATED_AT, strict=False), on=PERSON_ID, how="left")
        .drop(PERSON_ID)
        .rename({"virtual": PERSON_ID})
    )
    end_literal = pl.lit(end).cast(_UTC)
    virtual_touches = (
        moments.join(touches, on=PERSON_ID, how="inner")
        .filter(pl.col(OCCURRED_AT) <= pl.col("moment"))
        .with_columns(
            (pl.col(OCCURRED_AT).cast(_UTC) + (end_literal - pl.col("moment"))).alias(OCCURRED_AT)
        )
        .drop(PERSON_ID, "moment")
        .rename({"virtual": PERSON_ID})
    )
    result = score_people(contract, virtual_people, virtual_touches, end)
    eligible = pl.Series("virtual", result.person_id[result.mql_eligible])
    return moments.filter(pl.col("virtual").is_in(eligible.implode())).select(
        PERSON_ID, pl.col("moment").alias(MQL_AT)
    )
