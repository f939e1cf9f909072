"""Rule scoring over whole populations: fit, grade, decayed engagement, MQL eligibility.

Vectorized: each rule is a handful of numpy passes over all people or all touches
(a lookup per distinct value, a mask, a weighted ``bincount``), never a Python loop
over leads. One million people and ten million touches score in seconds.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import numpy as np
import polars as pl

from revloop.engine.contract.conditions import Condition, Matches, OneOf
from revloop.engine.contract.fields import FIELDS, FieldKind
from revloop.engine.contract.schema import GRADES, Contract, EngagementRule, TouchMatch
from revloop.engine.scoring.decay import MICROS_PER_DAY, decayed_points, on_grid_scalar
from revloop.engine.scoring.inputs import (
    NO_TIME,
    OCCURRED_AT,
    PERSON_ID,
    BoolArray,
    Factor,
    FloatArray,
    IntArray,
    PersonIndex,
    ScoringInputError,
    factorize,
    numbers,
    person_column,
    utc_micros,
)
from revloop.engine.scoring.result import ScoreResult, to_micros


def score_people(
    contract: Contract, people: pl.DataFrame, touches: pl.DataFrame, now: dt.datetime
) -> ScoreResult:
    """Score every person in ``people`` from their fields and their ``touches`` as of ``now``.

    Touches after ``now`` are ignored, so replaying history "as of" a past date sees
    only what had happened by then. Touches of people not in ``people`` are ignored.
    """
    now_us = to_micros(now)
    ids, order = _sorted_ids(people)
    count = ids.size
    scoring = contract.scoring
    texts: dict[str, Factor] = {}

    fit_fired = _fired_matrix([r.condition for r in scoring.fit], people, order, texts)
    negative_fired = _fired_matrix([r.condition for r in scoring.negative], people, order, texts)
    fit = np.zeros(count)
    for column, rule in enumerate(scoring.fit):
        fit[fit_fired[:, column]] += on_grid_scalar(rule.points)
    disqualify_rule = np.full(count, -1, dtype=np.int16)
    for column, negative in enumerate(scoring.negative):
        fired = negative_fired[:, column]
        fit[fired] += on_grid_scalar(negative.points)
        if negative.disqualify:
            disqualify_rule[fired & (disqualify_rule < 0)] = column

    engaged = _Engagement(contract, touches, PersonIndex(ids), now_us)
    engagement = np.zeros(count)
    for column in range(len(scoring.engagement)):
        engagement += engaged.points[:, column]

    grade = _grades(contract, fit)
    total = fit + engagement
    return ScoreResult(
        contract=contract,
        now=now,
        person_id=ids,
        fit=fit,
        grade=grade,
        engagement=engagement,
        total=total,
        mql_eligible=_mql_eligible(
            contract,
            fit=fit,
            grade=grade,
            engagement=engagement,
            total=total,
            disqualify_rule=disqualify_rule,
        ),
        disqualify_rule=disqualify_rule,
        last_touch_us=engaged.last_touch,
        fit_fired=fit_fired,
        negative_fired=negative_fired,
        touch_count=engaged.counts,
        decayed=engaged.decayed,
        engagement_points=engaged.points,
    )


def _sorted_ids(people: pl.DataFrame) -> tuple[IntArray, IntArray]:
    if PERSON_ID not in people.columns:
        raise ScoringInputError(f"people: missing column {PERSON_ID!r}")
    column = people[PERSON_ID]
    if not column.dtype.is_integer() or column.null_count():
        raise ScoringInputError(f"people.{PERSON_ID}: must be integers without nulls")
    raw = column.cast(pl.Int64).to_numpy()
    order = np.argsort(raw, kind="stable")
    ids = raw[order]
    repeated = ids[1:][ids[1:] == ids[:-1]]
    if repeated.size:
        raise ScoringInputError(f"people.{PERSON_ID}: person {int(repeated[0])} appears twice")
    return ids, order


def _fired_matrix(
    conditions: list[Condition], people: pl.DataFrame, order: IntArray, texts: dict[str, Factor]
) -> BoolArray:
    """One column per condition: does it hold for each person (rows in id order)."""
    fired = np.zeros((order.size, len(conditions)), dtype=np.bool_, order="F")
    for column, condition in enumerate(conditions):
        field = condition.field
        if FIELDS[field] is FieldKind.NUMBER:
            values = numbers(person_column(people, field), f"people.{field}")[order]
            fired[:, column] = condition.on_numbers(values)
        else:
            if field not in texts:
                texts[field] = factorize(person_column(people, field)).take(order)
            fired[:, column] = texts[field].lookup(condition.on_text)
    return fired


def _grades(contract: Contract, fit: FloatArray) -> np.ndarray[tuple[int], np.dtype[np.int8]]:
    # Thresholds descend A > B > C > D; count how many a fit score reaches.
    ascending = np.asarray(contract.scoring.grades.thresholds()[::-1], dtype=np.float64)
    reached = np.searchsorted(ascending, fit, side="right")
    return (len(GRADES) - 1 - reached).astype(np.int8)


def _mql_eligible(
    contract: Contract,
    *,
    fit: FloatArray,
    grade: np.ndarray[tuple[int], np.dtype[np.int8]],
    engagement: FloatArray,
    total: FloatArray,
    disqualify_rule: np.ndarray[tuple[int], np.dtype[np.int16]],
) -> BoolArray:
    rule = contract.mql
    eligible = disqualify_rule < 0
    if rule.min_engagement is not None:
        eligible &= engagement >= rule.min_engagement
    if rule.min_fit is not None:
        eligible &= fit >= rule.min_fit
    if rule.min_total is not None:
        eligible &= total >= rule.min_total
    if rule.min_grade is not None:
        eligible &= grade <= GRADES.index(rule.min_grade)
    return eligible


class _Engagement:
    """Per person and engagement rule: touches counted, points decayed, points after cap."""

    def __init__(
        self, contract: Contract, touches: pl.DataFrame, index: PersonIndex, now_us: int
    ) -> None:
        self.touches = touches
        rules = contract.scoring.engagement
        people = index.ids.size
        for column in (PERSON_ID, OCCURRED_AT):
            if column not in touches.columns:
                raise ScoringInputError(f"touches: missing column {column!r}")
        person = touches[PERSON_ID]
        if not (person.dtype.is_integer() or person.dtype == pl.Null):
            raise ScoringInputError(f"touches.{PERSON_ID}: must be integers, not {person.dtype}")
        rows = index.rows(person.cast(pl.Int64).fill_null(NO_TIME).to_numpy())
        micros = utc_micros(touches[OCCURRED_AT], f"touches.{OCCURRED_AT}")
        keep = (rows >= 0) & (micros <= now_us)
        # Usually every touch counts; then skip copying ten million rows for nothing.
        self.keep: BoolArray | None = None if keep.all() else keep
        self.rows = rows if self.keep is None else rows[self.keep]
        kept_micros = micros if self.keep is None else micros[self.keep]
        self.age_days = (now_us - kept_micros) / MICROS_PER_DAY
        self.last_touch = np.full(people, NO_TIME, dtype=np.int64)
        np.maximum.at(self.last_touch, self.rows, kept_micros)
        self.texts: dict[str, Factor] = {}
        self.numbers: dict[str, FloatArray] = {}
        self.counts = np.zeros((people, len(rules)), dtype=np.int32, order="F")
        self.decayed = np.zeros((people, len(rules)), dtype=np.float64, order="F")
        self.points = np.zeros((people, len(rules)), dtype=np.float64, order="F")
        for position, rule in enumerate(rules):
            self._score(position, rule, people)

    def _score(self, column: int, rule: EngagementRule, people: int) -> None:
        mask = self._mask(rule.match)
        # Gather by position: most rules match a small share of touches.
        hits = None if mask is None else np.flatnonzero(mask)
        rows = self.rows if hits is None else self.rows[hits]
        ages = self.age_days if hits is None else self.age_days[hits]
        weights = decayed_points(rule.points, ages, rule.half_life_days)
        decayed = np.bincount(rows, weights=weights, minlength=people)
        self.counts[:, column] = np.bincount(rows, minlength=people)
        self.decayed[:, column] = decayed
        if rule.cap is None:
            self.points[:, column] = decayed
        elif rule.points > 0:
            self.points[:, column] = np.minimum(decayed, on_grid_scalar(rule.cap))
        else:
            self.points[:, column] = np.maximum(decayed, -on_grid_scalar(rule.cap))

    def _mask(self, match: TouchMatch) -> BoolArray | None:
        """Touches (among those kept) that satisfy every key the match sets."""
        parts: list[BoolArray] = []
        vocabulary: tuple[tuple[str, tuple[StrEnum, ...]], ...] = (
            ("type", match.types),
            ("channel", match.channels),
            ("content_kind", match.content_kinds),
        )
        for column, wanted in vocabulary:
            if wanted:
                parts.append(self._text(column).lookup(OneOf(column, wanted).on_text))
        if match.campaigns:
            campaign = OneOf("campaign", match.campaigns)
            parts.append(self._text("campaign").lookup(campaign.on_text))
        if match.url is not None:
            parts.append(self._text("url").lookup(Matches("url", match.url).on_text))
        if match.content_ids:
            ids = np.asarray(match.content_ids, dtype=np.float64)
            parts.append(np.isin(self._numbers("content_id"), ids))
        if not parts:
            return None
        mask = parts[0]
        for part in parts[1:]:
            mask = mask & part
        return mask

    def _series(self, name: str) -> pl.Series:
        if name not in self.touches.columns:
            raise ScoringInputError(f"touches: missing column {name!r} (a rule matches on it)")
        return self.touches[name]

    def _text(self, name: str) -> Factor:
        if name not in self.texts:
            self.texts[name] = factorize(self._series(name)).take(self.keep)
        return self.texts[name]

    def _numbers(self, name: str) -> FloatArray:
        if name not in self.numbers:
            values = numbers(self._series(name), f"touches.{name}")
            self.numbers[name] = values if self.keep is None else values[self.keep]
        return self.numbers[name]
