"""The leakage guard: evidence, from the data itself, that a field is a trace of the outcome.

A field written when or after the deal was decided (a status set at closing, a
tag sales added after the call, the length of the call that made the sale, a
copy of the target under another name) makes a model look excellent in
evaluation and useless on new leads, which do not have it yet. Names cannot be
trusted to tell (Bank Marketing's ``duration`` and X Education's ``Tags`` are
named like anything else), so each candidate field is judged by what it does:

1. **It predicts the outcome alone almost perfectly**: its own cross-validated
   AUC is :data:`LEAKAGE_AUC` or more.
2. **It is far above the rest**: its own AUC is at least :data:`DOMINANT_AUC` and
   exceeds every other field's by :data:`DOMINANT_GAP` or more.
3. **It is empty or constant for one outcome**: one value (or emptiness) covers
   :data:`ONE_SIDED_SHARE` of one outcome's rows and at most half of the other's
   (a lost reason filled only for lost leads, an amount that is 0 for every one).
4. **It rules an outcome out where it is the best predictor**: over a range of its
   values (the lowest or highest ones, a category, or its emptiness) one outcome
   never occurs although :data:`RULED_OUT_EXPECTED` or more were expected there at
   the overall rate (about e^-30 by chance), and no other field predicts as well
   alone. Calls too short to sell anything never sold; a genuine lead attribute
   rarely makes anything impossible, and when it does (no account, say) it is not
   the strongest field.
5. **It was recorded after the outcome**: a date column other than the time column
   that is empty or filled by outcome as in 3 (a "converted at", a "closed on").
   Dates are never features; this names the trace so the reader can look for its
   companions.

Each flag carries its figure in the reason. A flagged field is left out of the
model unless the caller keeps it (``keep`` for that column, ``keep_leaky`` for all).

Own AUC is scored the same way whatever the type: values are grouped (categories
as they are, numbers into up to 20 quantile bins, missing as a value of its own),
each row gets the smoothed won rate of its group computed on the *other* folds
(stratified k-fold), and the AUC of those out-of-fold rates is the field's own
cross-validated AUC. Out-of-fold rates keep a high-cardinality column (a city, a
free-text title) from scoring well by memorising its rows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

from revloop.engine.predictive.encoding import fit_coder
from revloop.engine.predictive.features import (
    FEATURE_KINDS,
    ColumnKind,
    ColumnStatus,
    FeaturePlan,
)
from revloop.engine.predictive.metrics import auc

#: A feature at or above this AUC on its own is probable leakage.
LEAKAGE_AUC = 0.9
#: A feature this good alone, ...
DOMINANT_AUC = 0.8
#: ... and this far ahead of the next best, is far above the rest.
DOMINANT_GAP = 0.15
#: Share of one outcome's rows holding a single value (or none) to call it constant.
ONE_SIDED_SHARE = 0.99
#: ... while at most this share of the other outcome's rows hold it.
OTHER_SIDE_SHARE = 0.5
#: Expected count of an outcome that never occurs in a range, to call it ruled out.
RULED_OUT_EXPECTED = 30.0
#: Fewer rows of an outcome than this and "constant for it" means nothing.
MIN_ONE_SIDED_ROWS = 30
LEAKAGE_BINS = 20
LEAKAGE_FOLDS = 5
#: Pseudo-count pulling a group's rate towards the overall rate.
SMOOTHING = 1.0

IntArray = NDArray[np.int64]


def single_feature_auc(
    column: pl.Series, y: NDArray[np.int8], *, folds: int = LEAKAGE_FOLDS, seed: int = 0
) -> float | None:
    """Cross-validated AUC of ``column`` alone (None when it cannot be measured)."""
    coder = fit_coder(column, LEAKAGE_BINS)
    codes = coder.codes(column)
    codes = np.where(codes < 0, coder.size, codes)  # missing is a group of its own
    groups = coder.size + 1
    target = y.astype(np.float64)
    splits = _folds(y, folds, seed)
    if splits is None:
        return None
    rates = np.empty(y.size, dtype=np.float64)
    total_n = np.bincount(codes, minlength=groups).astype(np.float64)
    total_won = np.bincount(codes, weights=target, minlength=groups)
    for test in splits:
        fold_n = np.bincount(codes[test], minlength=groups)
        fold_won = np.bincount(codes[test], weights=target[test], minlength=groups)
        train_n = total_n - fold_n
        train_won = total_won - fold_won
        prior = train_won.sum() / train_n.sum()
        rate = (train_won + SMOOTHING * prior) / (train_n + SMOOTHING)
        rates[test] = rate[codes[test]]
    return auc(y, rates)


def _folds(y: NDArray[np.int8], folds: int, seed: int) -> list[IntArray] | None:
    smallest = int(min(y.sum(), y.size - y.sum()))
    if smallest < 2:
        return None
    splitter = StratifiedKFold(n_splits=min(folds, smallest), shuffle=True, random_state=seed)
    return [test for _, test in splitter.split(np.zeros(y.size), y)]


def feature_aucs(
    frame: pl.DataFrame, plan: FeaturePlan, y: NDArray[np.int8], *, seed: int = 0
) -> dict[str, float | None]:
    """Own AUC of every column that could be a feature, used or not (for the report)."""
    probe = plan.with_statuses(
        {
            c.name: (ColumnStatus.USED, c.reason)
            for c in plan.columns
            if c.kind in FEATURE_KINDS
            and c.status in (ColumnStatus.POST_HANDOFF, ColumnStatus.EXCLUDED)
        }
    )
    design = probe.design(frame)
    return {
        name: single_feature_auc(design.get_column(name), y, seed=seed) for name in design.columns
    }


@dataclass(frozen=True)
class Candidate:
    """What the evidence rules need of one column: cleaned values and own AUC."""

    name: str
    values: pl.Series
    auc: float | None
    #: Only emptiness is judged (a date column: its values are not features).
    dates_only: bool = False


def screen(
    plan: FeaturePlan,
    frame: pl.DataFrame,
    y: NDArray[np.int8],
    aucs: Mapping[str, float | None],
    *,
    keep_leaky: bool = False,
    keep: Collection[str] = (),
) -> FeaturePlan:
    """``plan`` with every used feature (and date column) that the evidence flags marked
    leaky, the reason holding the figure; kept when in ``keep`` or with ``keep_leaky``."""
    evidence = leakage_evidence(plan, frame, y, aucs)
    changes: dict[str, tuple[ColumnStatus, str]] = {}
    for column in plan.columns:
        why = evidence.get(column.name)
        if why is None:
            continue
        if column.kind == ColumnKind.DATETIME:
            changes[column.name] = (ColumnStatus.LEAKY, why + "; dates are not features")
        elif column.status == ColumnStatus.POST_HANDOFF:
            # The evidence says more than the name does, and holds whatever the name.
            changes[column.name] = (
                ColumnStatus.LEAKY,
                why + "; its name marks it as recorded after the handoff too (--keep COLUMN)",
            )
        elif column.status != ColumnStatus.USED:
            continue
        elif keep_leaky or column.name in keep:
            changes[column.name] = (ColumnStatus.LEAKY_KEPT, why + "; kept on request")
        else:
            changes[column.name] = (
                ColumnStatus.LEAKY,
                why + "; left out (--keep COLUMN or --keep-leaky uses it)",
            )
    return plan.with_statuses(changes)


def leakage_evidence(
    plan: FeaturePlan,
    frame: pl.DataFrame,
    y: NDArray[np.int8],
    aucs: Mapping[str, float | None],
) -> dict[str, str]:
    """Name -> why, in words with the figure, for each column the rules above flag."""
    # Columns excluded by name are judged too (by the absolute rules only): the
    # evidence must stand without the name.
    named = [c for c in plan.columns if c.status == ColumnStatus.POST_HANDOFF]
    probe = plan.with_statuses({c.name: (ColumnStatus.USED, c.reason) for c in named})
    design = probe.design(frame)
    candidates = [
        Candidate(c.name, design.get_column(c.name), aucs.get(c.name))
        for c in plan.columns
        if c.status in (ColumnStatus.USED, ColumnStatus.POST_HANDOFF)
    ]
    by_name = {c.name for c in named}
    dates = [
        Candidate(c.name, frame.get_column(c.name), None, dates_only=True)
        for c in plan.columns
        if c.kind == ColumnKind.DATETIME and c.status != ColumnStatus.TIME
    ]
    flagged: dict[str, str] = {}
    for c in candidates:
        if c.auc is not None and c.auc >= LEAKAGE_AUC:
            flagged[c.name] = (
                f"predicts the outcome alone with cross-validated AUC {c.auc:.3f} "
                f"(>= {LEAKAGE_AUC}): probable leakage"
            )
    for c in [*candidates, *dates]:
        if c.name not in flagged and (why := _one_sided(c, y, dated=c.dates_only)):
            flagged[c.name] = why
    ranked = sorted(
        (
            (c.auc, c)
            for c in candidates
            if c.name not in flagged and c.name not in by_name and c.auc is not None
        ),
        key=lambda pair: -pair[0],
    )
    if ranked:
        top_auc, top = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.5
        if top_auc >= DOMINANT_AUC and top_auc - runner_up >= DOMINANT_GAP:
            flagged[top.name] = (
                f"predicts the outcome alone with AUC {top_auc:.3f}, far above every other "
                f"field (next best {runner_up:.3f}): probable leakage"
            )
        elif (ruled := _ruled_out(top.values, y)) is not None:
            flagged[top.name] = (
                f"{ruled}, and alone it predicts better than any other field "
                f"(AUC {top_auc:.3f}, next best {runner_up:.3f}): probable leakage"
            )
    return flagged


def _one_sided(c: Candidate, y: NDArray[np.int8], *, dated: bool) -> str | None:
    """A value (or emptiness) that one outcome nearly always has and the other mostly not."""
    values = c.values.is_null().cast(pl.String) if dated else c.values.cast(pl.String)
    keys = values.fill_null("\x00missing").to_numpy()
    for outcome, label, other_label in ((1, "won", "not won"), (0, "not won", "won")):
        mine, theirs = keys[y == outcome], keys[y != outcome]
        if mine.size < MIN_ONE_SIDED_ROWS or theirs.size < MIN_ONE_SIDED_ROWS:
            continue
        found, counts = np.unique(mine, return_counts=True)
        common = int(np.argmax(counts))
        share = counts[common] / mine.size
        if share < ONE_SIDED_SHARE:
            continue
        value = found[common]
        other = float(np.mean(theirs == value))
        if other > OTHER_SIDE_SHARE:
            continue
        if dated:
            state = "empty" if value == "true" else "filled"
            return (
                f"{state} for {share:.1%} of {label} rows and {other:.1%} of {other_label} "
                "rows: recorded after the outcome"
            )
        shown = "empty" if value == "\x00missing" else f"{value!r}"
        return (
            f"{shown} for {share:.1%} of {label} rows but {other:.1%} of {other_label} rows: "
            "constant for one outcome, probable leakage"
        )
    return None


def _ruled_out(values: pl.Series, y: NDArray[np.int8]) -> str | None:
    """The widest range of ``values`` where one outcome never occurs though
    :data:`RULED_OUT_EXPECTED` or more were expected, in words (None: there is none)."""
    rate = float(y.mean())
    expected_of = {1: rate, 0: 1.0 - rate}
    names = {1: "won", 0: "not won"}
    best: tuple[float, str] | None = None

    def consider(rows: int, outcome: int, where: str) -> None:
        nonlocal best
        expected = rows * expected_of[outcome]
        if expected >= RULED_OUT_EXPECTED and (best is None or expected > best[0]):
            best = (
                expected,
                (
                    f"no {names[outcome]} row among the {rows:,} {where} "
                    f"({expected:.0f} expected at the overall rate)"
                ),
            )

    missing = values.is_null().to_numpy()
    for outcome in (0, 1):
        if missing.any() and not (y[missing] == outcome).any():
            consider(int(missing.sum()), outcome, "with it empty")
    if values.dtype == pl.String:
        groups = (
            pl.DataFrame({"v": values, "y": y})
            .drop_nulls("v")
            .group_by("v")
            .agg(pl.len().alias("n"), pl.col("y").sum().alias("won"))
        )
        for value, n, won in groups.iter_rows():
            if won == 0:
                consider(n, 1, f"with {value!r}")
            if won == n:
                consider(n, 0, f"with {value!r}")
        return None if best is None else best[1]
    present = ~missing
    numbers = values.cast(pl.Float64).to_numpy()[present]
    outcomes = y[present]
    order = np.argsort(numbers, kind="stable")
    numbers, outcomes = numbers[order], outcomes[order]
    for ascending in (True, False):
        v = numbers if ascending else numbers[::-1]
        o = outcomes if ascending else outcomes[::-1]
        for outcome in (0, 1):
            hits = np.flatnonzero(o == outcome)
            end = int(hits[0]) if hits.size else int(o.size)
            # A range ends between two different values: tied rows go together.
            while 0 < end < v.size and v[end - 1] == v[end]:
                end -= 1
            if end == 0:
                continue
            side = "lowest" if ascending else "highest"
            consider(end, outcome, f"{side} values (up to {v[end - 1]:g})")
    return None if best is None else best[1]
