"""Lift of a campaign over its control group: rates, means, intervals and p-values.

Two designs, never mixed up:

- **Randomised** (:func:`compare_groups`): one control group and one or more
  treatment groups, each person in exactly one, assigned at random (a holdout). For
  every outcome and every treatment group, the lift over the control is the effect of
  the treatment.

  * A **binary** outcome (0/1, yes/no, true/false) is a rate: ``numerator`` people
    with the outcome of the ``denominator`` people in the group. The absolute lift is
    the difference of the rates with Newcombe's hybrid score interval (method 10 of
    Newcombe 1998, built from the two Wilson intervals: it stays inside [-1, 1] and
    keeps its coverage near 0 and 1, where Wald's does not). The relative lift is the
    rate ratio minus one, with Katz's log interval. The p-value is the two-sided
    two-proportion z-test with the pooled rate (the same as Pearson's chi-square on
    the 2x2 table without continuity correction).
  * A **numeric** outcome (revenue, spend) is a mean. The absolute lift is the
    difference of the means with Welch's t interval (Welch-Satterthwaite degrees of
    freedom), its p-value Welch's t-test; the relative lift is the ratio of the means
    minus one, with a delta-method interval on the log of the ratio.

- **Observational** (:func:`matched_lift`): people who were touched against people
  who were not, compared within strata of what is known about them beforehand (exact
  matching on the strata, the untouched people's outcome reweighted to the touched
  people's mix of strata). It removes the differences the strata capture and no
  others, so it is a comparison, not the campaign's effect: callers must label it so.

A relative lift with a control rate (or mean) of zero is undefined: it is ``None``
with ``relative_reason`` saying why, as is any interval that cannot be computed.
Groups too small for the normal approximations get a warning rather than silence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from revloop.engine.errors import EngineInputError

Kind = Literal["rate", "mean"]
Design = Literal["randomised", "observational"]
FloatArray = npt.NDArray[np.float64]

CONFIDENCE = 0.95
#: Under these, the normal approximations behind the intervals are rough: say so.
SMALL_GROUP = 30
FEW_EVENTS = 5

_TRUE = frozenset({"1", "yes", "y", "true", "t"})
_FALSE = frozenset({"0", "no", "n", "false", "f"})
_MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "-"})
_CURRENCY = "$€£¥"


class OutcomeError(EngineInputError):
    """An outcome value that is neither binary nor a number; names its row and column."""

    def __init__(self, column: str, row: int, value: str, reason: str) -> None:
        super().__init__(f"row {row}, {column}: {reason} ({value!r})")
        self.column = column
        self.row = row
        self.value = value
        self.reason = reason


class LiftInputError(EngineInputError):
    """Groups or outcomes that cannot be compared (no control, lengths differ, …)."""


@dataclass(frozen=True)
class GroupOutcome:
    """One group's figure for one outcome: a rate (``numerator`` of ``denominator``)
    or a mean (with its standard deviation) over the ``n`` people with a value."""

    group: str
    n: int
    missing: int
    rate: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    mean: float | None = None
    sd: float | None = None
    total: float | None = None
    small: bool = False


@dataclass(frozen=True)
class Lift:
    """A treatment group's lift over the control for one outcome (module docstring)."""

    group: str
    control: str
    absolute: float | None
    absolute_low: float | None
    absolute_high: float | None
    relative: float | None
    relative_low: float | None
    relative_high: float | None
    p_value: float | None
    test: str
    absolute_method: str
    relative_method: str
    relative_reason: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutcomeLift:
    outcome: str
    kind: Kind
    groups: tuple[GroupOutcome, ...]
    lifts: tuple[Lift, ...]

    def lift(self, group: str) -> Lift:
        for lift in self.lifts:
            if lift.group == group:
                return lift
        raise KeyError(f"no lift for group {group!r}")

    def group(self, name: str) -> GroupOutcome:
        for found in self.groups:
            if found.group == name:
                return found
        raise KeyError(f"no group {name!r}")


@dataclass(frozen=True)
class LiftReport:
    """Every outcome's figures per group and lifts over ``control``; ``groups`` lists
    the control first, then the treatment groups by name."""

    design: Design
    control: str
    groups: tuple[str, ...]
    sizes: Mapping[str, int]
    outcomes: tuple[OutcomeLift, ...]
    confidence: float = CONFIDENCE
    notes: tuple[str, ...] = ()

    def outcome(self, name: str) -> OutcomeLift:
        for found in self.outcomes:
            if found.outcome == name:
                return found
        raise KeyError(f"no outcome {name!r}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "design": self.design,
            "control": self.control,
            "confidence": self.confidence,
            "groups": [{"group": g, "rows": int(self.sizes[g])} for g in self.groups],
            "outcomes": [
                {
                    "outcome": o.outcome,
                    "kind": o.kind,
                    "groups": [asdict(g) for g in o.groups],
                    "lifts": [
                        {**asdict(lift), "warnings": list(lift.warnings)} for lift in o.lifts
                    ],
                }
                for o in self.outcomes
            ],
            "notes": list(self.notes),
        }


# Reading outcome values ---------------------------------------------------------------


def parse_outcome(
    values: Sequence[str], column: str, *, first_row: int = 2
) -> tuple[Kind, FloatArray]:
    """The kind of an outcome column and its values (NaN where missing).

    Binary when every value present is 0/1, yes/no, y/n, true/false or t/f (any case),
    or a number that is 0 or 1; numeric otherwise (``$1,200.50`` reads as 1200.5). A
    value that is neither raises :class:`OutcomeError` with its row, counted from
    ``first_row`` (the header is row 1).
    """
    out = np.full(len(values), np.nan)
    words = np.zeros(len(values), dtype=bool)
    for index, raw in enumerate(values):
        text = raw.strip().lower()
        if text in _MISSING:
            continue
        if text in _TRUE or text in _FALSE:
            out[index] = 1.0 if text in _TRUE else 0.0
            words[index] = not _is_number(text)
            continue
        number = _number(text)
        if number is None:
            raise OutcomeError(
                column, first_row + index, raw, "neither a number nor yes/no or true/false"
            )
        out[index] = number
    present = out[~np.isnan(out)]
    binary = bool(np.isin(present, (0.0, 1.0)).all())
    if words.any() and not binary:
        first = int(np.flatnonzero(words)[0])
        raise OutcomeError(
            column,
            first_row + first,
            values[first],
            "a yes/no value in a column of other numbers",
        )
    return ("rate" if binary else "mean"), out


def _is_number(text: str) -> bool:
    return text in ("0", "1")


def _number(text: str) -> float | None:
    cleaned = text.strip(_CURRENCY + " ").replace(",", "")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1].strip(_CURRENCY + " ")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return -value if negative else value


# The maths --------------------------------------------------------------------------


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(events: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson's score interval for a proportion (``n`` > 0)."""
    z = _z(confidence)
    p = events / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def rate_lift(
    events: int,
    n: int,
    control_events: int,
    control_n: int,
    *,
    group: str = "treatment",
    control: str = "control",
    confidence: float = CONFIDENCE,
) -> Lift:
    """A rate's lift over the control's (module docstring for the methods)."""
    if n <= 0 or control_n <= 0:
        raise LiftInputError("each group needs at least one row with a value")
    p1, p0 = events / n, control_events / control_n
    low1, high1 = wilson_interval(events, n, confidence)
    low0, high0 = wilson_interval(control_events, control_n, confidence)
    difference = p1 - p0
    absolute_low = difference - math.sqrt((p1 - low1) ** 2 + (high0 - p0) ** 2)
    absolute_high = difference + math.sqrt((high1 - p1) ** 2 + (p0 - low0) ** 2)

    pooled = (events + control_events) / (n + control_n)
    p_value: float | None = None
    warnings: list[str] = []
    if 0 < pooled < 1:
        se = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / control_n))
        p_value = float(2 * stats.norm.sf(abs(difference) / se))
    else:
        warnings.append("every row has the same value in both groups: no test possible")

    relative = relative_low = relative_high = None
    reason: str | None = None
    if control_events == 0:
        reason = "the control rate is 0: a relative lift is undefined"
    else:
        ratio = p1 / p0
        relative = ratio - 1
        if events == 0:
            reason = "no events in the treatment group: the log interval is undefined"
        else:
            z = _z(confidence)
            se_log = math.sqrt(1 / events - 1 / n + 1 / control_events - 1 / control_n)
            relative_low = ratio * math.exp(-z * se_log) - 1
            relative_high = ratio * math.exp(z * se_log) - 1
    warnings.extend(
        _rate_warnings(group, events, n) + _rate_warnings(control, control_events, control_n)
    )
    return Lift(
        group=group,
        control=control,
        absolute=difference,
        absolute_low=absolute_low,
        absolute_high=absolute_high,
        relative=relative,
        relative_low=relative_low,
        relative_high=relative_high,
        p_value=p_value,
        test="two-proportion z-test",
        absolute_method="Newcombe hybrid score",
        relative_method="Katz log",
        relative_reason=reason,
        warnings=tuple(warnings),
    )


def _rate_warnings(group: str, events: int, n: int) -> list[str]:
    found = []
    if n < SMALL_GROUP:
        found.append(f"{group}: only {n} rows, the interval is rough")
    if min(events, n - events) < FEW_EVENTS:
        found.append(f"{group}: fewer than {FEW_EVENTS} rows with (or without) the outcome")
    return found


def mean_lift(
    mean: float,
    variance: float,
    n: int,
    *,
    control_mean: float,
    control_variance: float,
    control_n: int,
    group: str = "treatment",
    control: str = "control",
    confidence: float = CONFIDENCE,
) -> Lift:
    """A mean's lift over the control's: Welch's t for the difference, the delta method
    on the log of the ratio for the relative lift (``variance`` with ddof=1)."""
    difference = mean - control_mean
    warnings = [
        f"{name}: only {size} rows, the interval is rough"
        for name, size in ((group, n), (control, control_n))
        if size < SMALL_GROUP
    ]
    absolute_low = absolute_high = p_value = None
    if n < 2 or control_n < 2:
        warnings.append("a group with fewer than 2 rows has no variance: no test possible")
    else:
        a, b = variance / n, control_variance / control_n
        se = math.sqrt(a + b)
        if se == 0:
            warnings.append("no variance in either group: no test possible")
        else:
            df = (a + b) ** 2 / (a * a / (n - 1) + b * b / (control_n - 1))
            critical = float(stats.t.ppf(0.5 + confidence / 2, df))
            absolute_low, absolute_high = difference - critical * se, difference + critical * se
            p_value = float(2 * stats.t.sf(abs(difference) / se, df))

    relative = relative_low = relative_high = None
    reason: str | None = None
    if control_mean == 0:
        reason = "the control mean is 0: a relative lift is undefined"
    elif control_mean < 0 or mean < 0:
        reason = "a negative mean: a relative lift is not meaningful"
    elif mean == 0:
        relative = -1.0
        reason = "the treatment mean is 0: the log interval is undefined"
    else:
        relative, relative_low, relative_high = _ratio_interval(
            mean,
            control_mean,
            variance / n if n >= 2 else math.nan,
            control_variance / control_n if control_n >= 2 else math.nan,
            _z(confidence),
        )
        if relative is None:
            reason = "the means are too far apart for a ratio"
    return Lift(
        group=group,
        control=control,
        absolute=difference,
        absolute_low=absolute_low,
        absolute_high=absolute_high,
        relative=relative,
        relative_low=relative_low,
        relative_high=relative_high,
        p_value=p_value,
        test="Welch t-test",
        absolute_method="Welch t",
        relative_method="delta method (log ratio)",
        relative_reason=reason,
        warnings=tuple(warnings),
    )


# Randomised groups ---------------------------------------------------------------------


def compare_groups(
    groups: Sequence[str] | npt.NDArray[Any],
    outcomes: Mapping[str, FloatArray],
    control: str,
    *,
    kinds: Mapping[str, Kind] | None = None,
    confidence: float = CONFIDENCE,
    design: Design = "randomised",
    notes: Sequence[str] = (),
) -> LiftReport:
    """Each group's figure for every outcome and each treatment group's lift over
    ``control``. ``groups`` gives each row's group label; each outcome array holds the
    rows' values (NaN where missing). An outcome's kind is ``kinds[name]`` or, when not
    given, a rate if every value present is 0 or 1, else a mean."""
    labels = np.asarray(groups, dtype=object).astype(str)
    names, codes = np.unique(labels, return_inverse=True)
    if control not in set(names.tolist()):
        found = ", ".join(repr(n) for n in names.tolist()) or "none"
        raise LiftInputError(f"no row is in the control group {control!r} (groups: {found})")
    if len(names) < 2:
        raise LiftInputError("there is no group to compare with the control")
    if not outcomes:
        raise LiftInputError("name at least one outcome")
    ordered = [control, *sorted(n for n in names.tolist() if n != control)]
    index_of = {name: int(i) for i, name in enumerate(names.tolist())}
    sizes = np.bincount(codes, minlength=len(names))
    results = []
    for name, raw in outcomes.items():
        values = np.asarray(raw, dtype=np.float64)
        if values.shape != labels.shape:
            raise LiftInputError(
                f"outcome {name!r} has {values.size} values for {labels.size} rows"
            )
        kind = (kinds or {}).get(name) or _kind_of(values)
        present = ~np.isnan(values)
        n, sums, squares = _moments(codes[present], values[present], len(names))
        figures = {}
        for label in ordered:
            at = index_of[label]
            figures[label] = _group_figure(
                label,
                kind,
                n=int(n[at]),
                rows=int(sizes[at]),
                total=float(sums[at]),
                squares=float(squares[at]),
            )
        base = figures[control]
        lifts = tuple(
            _lift(figures[label], base, kind, confidence)
            for label in ordered[1:]
            if figures[label].n > 0 and base.n > 0
        )
        results.append(
            OutcomeLift(
                outcome=name,
                kind=kind,
                groups=tuple(figures[label] for label in ordered),
                lifts=lifts,
            )
        )
    return LiftReport(
        design=design,
        control=control,
        groups=tuple(ordered),
        sizes={label: int(sizes[index_of[label]]) for label in ordered},
        outcomes=tuple(results),
        confidence=confidence,
        notes=tuple(notes),
    )


def _moments(
    codes: npt.NDArray[np.intp], values: FloatArray, size: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per code: count, sum, and sum of squared deviations from the mean. The values
    are summed in sorted order, so the same rows in any order give the same bits."""
    order = np.lexsort((values, codes))
    codes, values = codes[order], values[order]
    n = np.bincount(codes, minlength=size).astype(np.float64)
    sums = np.bincount(codes, weights=values, minlength=size).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = np.where(n > 0, sums / n, 0.0)
    deviations = np.bincount(codes, weights=(values - means[codes]) ** 2, minlength=size)
    return n, sums, deviations.astype(np.float64)


def _kind_of(values: FloatArray) -> Kind:
    present = values[~np.isnan(values)]
    return "rate" if bool(np.isin(present, (0.0, 1.0)).all()) else "mean"


def _group_figure(
    label: str, kind: Kind, *, n: int, rows: int, total: float, squares: float
) -> GroupOutcome:
    """``squares``: the sum of squared deviations from the group's mean."""
    if kind == "rate":
        events = round(total)
        return GroupOutcome(
            group=label,
            n=n,
            missing=rows - n,
            rate=events / n if n else None,
            numerator=events,
            denominator=n,
            small=n < SMALL_GROUP,
        )
    mean = total / n if n else None
    sd = None
    if n >= 2 and mean is not None:
        sd = math.sqrt(squares / (n - 1))
    return GroupOutcome(
        group=label, n=n, missing=rows - n, mean=mean, sd=sd, total=total, small=n < SMALL_GROUP
    )


def _lift(group: GroupOutcome, control: GroupOutcome, kind: Kind, confidence: float) -> Lift:
    if kind == "rate":
        assert group.numerator is not None
        assert control.numerator is not None
        return rate_lift(
            group.numerator,
            group.n,
            control.numerator,
            control.n,
            group=group.group,
            control=control.group,
            confidence=confidence,
        )
    assert group.mean is not None
    assert control.mean is not None
    return mean_lift(
        group.mean,
        (group.sd or 0.0) ** 2,
        group.n,
        control_mean=control.mean,
        control_variance=(control.sd or 0.0) ** 2,
        control_n=control.n,
        group=group.group,
        control=control.group,
        confidence=confidence,
    )


# Observational: touched against untouched, within strata ------------------------------


@dataclass(frozen=True)
class MatchedLift:
    """Touched people's outcome against untouched people of the same strata.

    ``touched`` is over the ``matched`` touched people (those whose stratum has an
    untouched person too); ``untouched`` is the untouched people's figure reweighted to
    the touched people's mix of strata; ``unmatched`` touched people had no one to be
    compared with and are left out.
    """

    outcome: str
    kind: Kind
    touched: float | None
    untouched: float | None
    absolute: float | None
    absolute_low: float | None
    absolute_high: float | None
    relative: float | None
    relative_low: float | None
    relative_high: float | None
    p_value: float | None
    touched_people: int
    untouched_people: int
    matched: int
    unmatched: int
    strata: int
    relative_reason: str | None = None
    warnings: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "warnings": list(self.warnings)}


def matched_lift(
    touched: npt.NDArray[np.bool_],
    strata: Sequence[str] | npt.NDArray[Any],
    values: FloatArray,
    *,
    outcome: str = "outcome",
    kind: Kind | None = None,
    confidence: float = CONFIDENCE,
) -> MatchedLift:
    """Exact-stratum comparison of touched with untouched people (module docstring);
    rows with a missing value (NaN) are left out."""
    values = np.asarray(values, dtype=np.float64)
    touched = np.asarray(touched, dtype=bool)
    labels = np.asarray(strata, dtype=object).astype(str)
    if not (values.shape == touched.shape == labels.shape):
        raise LiftInputError("touched, strata and values must have one entry per person")
    kind = kind or _kind_of(values)
    present = ~np.isnan(values)
    values, touched, labels = values[present], touched[present], labels[present]
    _, codes = np.unique(labels, return_inverse=True)
    size = int(codes.max()) + 1 if codes.size else 0

    n1, s1, q1 = _moments(codes[touched], values[touched], size)
    n0, s0, q0 = _moments(codes[~touched], values[~touched], size)
    both = (n1 > 0) & (n0 > 0)
    matched = int(n1[both].sum())
    common: dict[str, Any] = {
        "outcome": outcome,
        "kind": kind,
        "touched_people": int(n1.sum()),
        "untouched_people": int(n0.sum()),
        "matched": matched,
        "unmatched": int(n1.sum()) - matched,
        "strata": int(both.sum()),
    }
    if matched == 0:
        return MatchedLift(
            **common,
            touched=None,
            untouched=None,
            absolute=None,
            absolute_low=None,
            absolute_high=None,
            relative=None,
            relative_low=None,
            relative_high=None,
            p_value=None,
            relative_reason="no touched person has an untouched one in the same stratum",
            warnings=("nothing to compare",),
        )
    n1, s1, q1, n0, s0, q0 = (a[both] for a in (n1, s1, q1, n0, s0, q0))
    m1, m0 = s1 / n1, s0 / n0
    v1 = _stratum_variance(kind, n1, m1, q1, values[touched])
    v0 = _stratum_variance(kind, n0, m0, q0, values[~touched])
    weight = n1 / matched
    a, b = float(weight @ m1), float(weight @ m0)
    var_a, var_b = float(weight**2 @ (v1 / n1)), float(weight**2 @ (v0 / n0))
    difference = a - b
    se = math.sqrt(var_a + var_b)
    z = _z(confidence)
    p_value = float(2 * stats.norm.sf(abs(difference) / se)) if se > 0 else None
    relative = relative_low = relative_high = None
    reason: str | None = None
    if b <= 0:
        reason = "the untouched figure is 0: a relative lift is undefined"
    elif a <= 0:
        relative = -1.0
        reason = "the touched figure is 0: the log interval is undefined"
    else:
        relative, relative_low, relative_high = _ratio_interval(a, b, var_a, var_b, z)
        if relative is None:
            reason = "the figures are too far apart for a ratio"
    warnings = []
    if matched < SMALL_GROUP:
        warnings.append(f"only {matched} touched people could be matched")
    if common["unmatched"]:
        warnings.append(f"{common['unmatched']} touched people had no untouched match")
    return MatchedLift(
        **common,
        touched=a,
        untouched=b,
        absolute=difference,
        absolute_low=difference - z * se if se > 0 else None,
        absolute_high=difference + z * se if se > 0 else None,
        relative=relative,
        relative_low=relative_low,
        relative_high=relative_high,
        p_value=p_value,
        relative_reason=reason,
        warnings=tuple(warnings),
    )


def _ratio_interval(
    a: float, b: float, var_a: float, var_b: float, z: float
) -> tuple[float | None, float | None, float | None]:
    """``a / b - 1`` and its delta-method interval on the log scale (``a``, ``b`` > 0,
    ``var_*`` the variances of the estimates). Whatever does not fit a float -- a
    ratio of a huge to a tiny figure, an unknown variance -- is None rather than an
    overflow or an infinity."""
    with np.errstate(all="ignore"):
        x, y = np.float64(a), np.float64(b)
        ratio = x / y
        se_log = np.sqrt(np.float64(var_a) / (x * x) + np.float64(var_b) / (y * y))
        bounds = (ratio * np.exp(-z * se_log) - 1, ratio * np.exp(z * se_log) - 1)

    def finite(value: np.float64) -> float | None:
        return float(value) if np.isfinite(value) else None

    relative = finite(ratio - 1)
    if relative is None:
        return None, None, None
    return relative, finite(bounds[0]), finite(bounds[1])


def _stratum_variance(
    kind: Kind, n: FloatArray, mean: FloatArray, squares: FloatArray, arm: FloatArray
) -> FloatArray:
    if kind == "rate":
        return mean * (1 - mean)
    # A stratum of one has no variance of its own: borrow the whole arm's.
    fallback = float(np.var(arm, ddof=1)) if arm.size > 1 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        own = squares / (n - 1)
    return np.where(n > 1, own, fallback)
