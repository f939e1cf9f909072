"""From a frame to model inputs: which columns are features, of what kind, and why not.

Every column of the input gets a :class:`ColumnPlan` with a kind and a status, so
a report can say what happened to each one:

* **numeric**: integer or float columns, and text columns whose every value is a number;
* **boolean**: bool columns, and text columns holding two yes/no-like values;
* **categorical**: other text columns, normalised (trimmed, case-folded, inner
  whitespace collapsed, so ``Google`` and ``google`` are one value) with form
  placeholders (``Select``, ``N/A``, ``-`` ...) read as missing;
* **text**: free text (most values distinct, or long) is not used;
* **datetime**: dates are not features (a model that learns "recent" learns the
  calendar, not the lead); one of them may be the time column of the split;
* **identifier**: a column unique per row (ids, emails, names) says nothing
  about the next lead and lets a model memorise rows, so it is dropped;
* **constant**: one value or none.

**Post-handoff columns** are excluded by name (see :func:`post_handoff`): the
current stage or status, owner, sales-entered tags and lead quality, "last
activity" snapshots, stored scores and outcome fields are recorded after the lead
reached sales, so a model trained on them learns what sales did, not who will buy.
``keep`` vouches for a column the name rule would exclude.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import polars as pl
from numpy.typing import NDArray

MISSING_TEXT = frozenset({"", "select", "n/a", "na", "null", "nan", "none", "-", "--", "?"})
TRUE_TEXT = frozenset({"1", "true", "t", "yes", "y", "won", "converted", "customer"})
FALSE_TEXT = frozenset({"0", "false", "f", "no", "n", "lost", "not converted", "disqualified"})

#: Normalised column names recorded after a lead reaches sales.
POST_HANDOFF_NAMES = frozenset(
    {
        "status",
        "lead_status",
        "tags",
        "tag",
        "tag_ids",
        "lead_quality",
        "quality",
        "lead_profile",
        "updated_at",
        "modified_at",
        "closed_at",
        "close_date",
        "converted_at",
        "outcome",
        "outcome_reason",
        "reason_code",
        "lost_reason",
        "won_reason",
        "competitor",
        "probability",
        "predicted_probability",
        "lead_score",
        "rule_score",
        "engagement_score",
        "assigned_to",
    }
)
#: Name parts that mark a column as post-handoff wherever they appear.
POST_HANDOFF_WORDS = frozenset({"stage", "owner"})
#: Name prefixes of "current state" snapshots.
POST_HANDOFF_PREFIXES = ("last_", "current_", "latest_")

#: A text column with more distinct values than this share of rows is free text.
TEXT_DISTINCT_SHARE = 0.5
#: ... or with values this long on average.
TEXT_MEAN_LENGTH = 60
#: A column with at least this share of distinct non-null values is an identifier.
IDENTIFIER_DISTINCT_SHARE = 0.95
#: Below this many non-null values nothing is called an identifier or free text.
MIN_ROWS_FOR_SHAPE = 20

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int8]


class ColumnKind(StrEnum):
    NUMERIC = "numeric"
    BOOLEAN = "boolean"
    CATEGORICAL = "categorical"
    TEXT = "text"
    DATETIME = "datetime"
    IDENTIFIER = "identifier"
    CONSTANT = "constant"


class ColumnStatus(StrEnum):
    USED = "used"
    TARGET = "target"
    TIME = "time"
    EXCLUDED = "excluded"
    POST_HANDOFF = "post_handoff"
    LEAKY = "leaky"
    LEAKY_KEPT = "leaky_kept"
    NOT_A_FEATURE = "not_a_feature"


FEATURE_KINDS = frozenset({ColumnKind.NUMERIC, ColumnKind.BOOLEAN, ColumnKind.CATEGORICAL})


class TargetError(ValueError):
    """The target column is missing or cannot be read as won / not won."""


def normalized_name(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_")


def post_handoff(name: str) -> bool:
    """Whether the column's name says it was recorded after the handoff to sales."""
    key = normalized_name(name)
    return (
        key in POST_HANDOFF_NAMES
        or bool(POST_HANDOFF_WORDS.intersection(key.split("_")))
        or key.startswith(POST_HANDOFF_PREFIXES)
    )


@dataclass(frozen=True)
class ColumnPlan:
    """What happens to one input column; ``reason`` says why in words."""

    name: str
    kind: ColumnKind
    status: ColumnStatus
    reason: str = ""
    #: For boolean text columns: the normalised values read as true.
    true_values: tuple[str, ...] = ()
    #: Parsed from text (numbers or yes/no) rather than typed in the frame.
    from_text: bool = False

    @property
    def is_feature(self) -> bool:
        return self.status in (ColumnStatus.USED, ColumnStatus.LEAKY_KEPT)

    def with_status(self, status: ColumnStatus, reason: str) -> ColumnPlan:
        return ColumnPlan(self.name, self.kind, status, reason, self.true_values, self.from_text)


@dataclass(frozen=True)
class FeaturePlan:
    """The columns of a frame, typed; :meth:`design` turns any frame into model inputs."""

    target: str
    time_column: str | None
    columns: tuple[ColumnPlan, ...]
    _by_name: Mapping[str, ColumnPlan] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {c.name: c for c in self.columns})

    def __getitem__(self, name: str) -> ColumnPlan:
        return self._by_name[name]

    def features(self, kind: ColumnKind | None = None) -> tuple[str, ...]:
        return tuple(
            c.name for c in self.columns if c.is_feature and (kind is None or c.kind == kind)
        )

    @property
    def numeric(self) -> tuple[str, ...]:
        """Numeric and boolean features: both enter the model as numbers."""
        return tuple(
            c.name
            for c in self.columns
            if c.is_feature and c.kind in (ColumnKind.NUMERIC, ColumnKind.BOOLEAN)
        )

    @property
    def categorical(self) -> tuple[str, ...]:
        return self.features(ColumnKind.CATEGORICAL)

    def with_statuses(self, changes: Mapping[str, tuple[ColumnStatus, str]]) -> FeaturePlan:
        columns = tuple(
            c.with_status(*changes[c.name]) if c.name in changes else c for c in self.columns
        )
        return FeaturePlan(self.target, self.time_column, columns)

    def design(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The feature columns of ``frame``, cleaned exactly as at training time.

        Numeric and boolean features come out as Float64 (null when missing),
        categorical ones as normalised String (null when missing). A feature the
        frame lacks is all null, so a row can be scored with what is known.
        """
        exprs: list[pl.Expr] = []
        height = frame.height
        for name in self.features():
            plan = self._by_name[name]
            if name not in frame.columns:
                dtype = pl.String if plan.kind == ColumnKind.CATEGORICAL else pl.Float64
                exprs.append(pl.repeat(None, height, dtype=dtype).alias(name))
                continue
            exprs.append(_clean(frame.schema[name], plan).alias(name))
        if not exprs:
            return pl.DataFrame()
        return frame.select(exprs)


def _clean(dtype: pl.DataType, plan: ColumnPlan) -> pl.Expr:
    column = pl.col(plan.name)
    if plan.kind == ColumnKind.CATEGORICAL:
        return clean_text(column, dtype)
    if plan.kind == ColumnKind.BOOLEAN and (dtype == pl.String or plan.from_text):
        text = clean_text(column, dtype)
        return (
            pl.when(text.is_null())
            .then(None)
            .otherwise(text.is_in(list(plan.true_values)))
            .cast(pl.Float64)
        )
    if plan.from_text:
        return clean_text(column, dtype).cast(pl.Float64, strict=False)
    return column.cast(pl.Float64, strict=False).fill_nan(None)


def clean_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Trimmed, case-folded, inner whitespace collapsed; placeholders become null."""
    text = column if dtype == pl.String else column.cast(pl.String)
    text = text.str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ")
    return pl.when(text.is_in(list(MISSING_TEXT))).then(None).otherwise(text)


def target_vector(frame: pl.DataFrame, target: str) -> tuple[IntArray, NDArray[np.bool_]]:
    """``(y, known)``: 1 for won, 0 for not won, and which rows have a readable outcome.

    Accepts bool, numbers 0 / 1, and text such as yes / no, true / false, won /
    lost, converted / not converted. Rows with an empty target are not known.
    """
    if target not in frame.columns:
        raise TargetError(
            f"the target column {target!r} is not in the table; columns: "
            + ", ".join(repr(c) for c in frame.columns)
        )
    column = frame.get_column(target)
    if column.dtype == pl.Boolean:
        values = column.cast(pl.Int8)
    elif column.dtype.is_numeric():
        present = column.drop_nulls()
        if present.dtype.is_float():
            present = present.drop_nans()
        seen = set(present.unique().to_list())
        if not seen <= {0, 1}:
            shown = ", ".join(str(v) for v in sorted(seen)[:5])
            raise TargetError(f"the target column {target!r} must hold 0 and 1, found {shown}")
        values = column.fill_nan(None).cast(pl.Int8)
    else:
        text = frame.select(clean_text(pl.col(target), column.dtype)).to_series()
        seen = set(text.drop_nulls().unique().to_list())
        unknown = seen - TRUE_TEXT - FALSE_TEXT
        if unknown:
            shown = ", ".join(repr(v) for v in sorted(unknown)[:5])
            raise TargetError(
                f"the target column {target!r} holds values that are neither won nor lost: {shown}"
            )
        won = pl.when(text.is_null()).then(None).otherwise(text.is_in(list(TRUE_TEXT)))
        values = pl.select(won.cast(pl.Int8)).to_series()
    known = values.is_not_null().to_numpy()
    return values.fill_null(0).to_numpy().astype(np.int8), known


def plan_columns(
    frame: pl.DataFrame,
    target: str,
    *,
    time_column: str | None = None,
    exclude: Collection[str] = (),
    keep: Collection[str] = (),
) -> FeaturePlan:
    """Type every column of ``frame`` and decide which ones may be features.

    ``exclude`` names columns never to use; ``keep`` names columns to use even when
    their name marks them as recorded after the handoff (the leakage check still
    applies to them). Unknown names in either raise ``ValueError``.
    """
    for option, names in (("exclude", exclude), ("keep", keep)):
        missing = [n for n in names if n not in frame.columns]
        if missing:
            raise ValueError(f"{option}: no column named " + ", ".join(map(repr, missing)))
    if time_column is not None and time_column not in frame.columns:
        raise ValueError(f"the time column {time_column!r} is not in the table")
    plans: list[ColumnPlan] = []
    for name in frame.columns:
        if name == target:
            plans.append(ColumnPlan(name, _kind_of_target(frame, name), ColumnStatus.TARGET))
            continue
        typed = classify(frame.get_column(name))
        kind, why = typed.kind, typed.reason
        plan = ColumnPlan(name, kind, ColumnStatus.USED, why, typed.true_values, typed.from_text)
        if name == time_column:
            plan = plan.with_status(ColumnStatus.TIME, "orders the time-based split")
        elif name in exclude:
            plan = plan.with_status(ColumnStatus.EXCLUDED, "excluded on request")
        elif kind not in FEATURE_KINDS:
            plan = plan.with_status(ColumnStatus.NOT_A_FEATURE, why)
        elif post_handoff(name) and name not in keep:
            plan = plan.with_status(
                ColumnStatus.POST_HANDOFF,
                "recorded after the handoff to sales (stage, owner, tags, quality, "
                "last activity, stored scores or outcome); pass it in keep to use it",
            )
        plans.append(plan)
    return FeaturePlan(target, time_column, tuple(plans))


def _kind_of_target(frame: pl.DataFrame, name: str) -> ColumnKind:
    return ColumnKind.BOOLEAN if frame.schema[name] == pl.Boolean else ColumnKind.NUMERIC


@dataclass(frozen=True)
class Typed:
    kind: ColumnKind
    reason: str = ""
    #: Boolean text columns: the normalised values read as true.
    true_values: tuple[str, ...] = ()
    #: The values are text to be parsed (numbers or yes / no).
    from_text: bool = False


def classify(series: pl.Series) -> Typed:
    """The kind of one column, and why it is not a feature when it is not."""
    dtype = series.dtype
    if dtype.is_temporal():
        return Typed(ColumnKind.DATETIME, "dates and times are not features")
    if dtype == pl.Boolean:
        return Typed(_by_count(series, ColumnKind.BOOLEAN))
    if dtype.is_numeric():
        return _classify_numbers(series)
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return _classify_text(pl.select(clean_text(pl.lit(series), dtype)).to_series())
    return Typed(ColumnKind.TEXT, f"values of type {dtype} are not used")


def _classify_numbers(series: pl.Series) -> Typed:
    values = series.drop_nulls()
    if values.dtype.is_float():
        values = values.drop_nans()
    if series.dtype.is_integer() and _unique_per_row(values):
        return Typed(ColumnKind.IDENTIFIER, "a different value in every row")
    return Typed(_by_count(values, ColumnKind.NUMERIC))


def _classify_text(cleaned: pl.Series) -> Typed:
    text = cleaned.drop_nulls()
    distinct = set(text.unique().to_list())
    if len(distinct) <= 1:
        return Typed(ColumnKind.CONSTANT, "one value or none")
    if len(distinct) == 2 and distinct <= TRUE_TEXT | FALSE_TEXT and distinct & TRUE_TEXT:
        return Typed(ColumnKind.BOOLEAN, "", tuple(sorted(distinct & TRUE_TEXT)), True)
    if text.cast(pl.Float64, strict=False).null_count() == 0:
        return Typed(ColumnKind.NUMERIC, "", (), True)
    if _unique_per_row(text):
        return Typed(ColumnKind.IDENTIFIER, "a different value in (almost) every row")
    mean_length = text.str.len_chars().cast(pl.Float64).mean()
    long_text = isinstance(mean_length, float) and mean_length > TEXT_MEAN_LENGTH
    if text.len() >= MIN_ROWS_FOR_SHAPE and (
        len(distinct) > TEXT_DISTINCT_SHARE * text.len() or long_text
    ):
        return Typed(ColumnKind.TEXT, "free text: too many distinct values to learn from")
    return Typed(ColumnKind.CATEGORICAL)


def _by_count(values: pl.Series, kind: ColumnKind) -> ColumnKind:
    return kind if values.n_unique() > 1 else ColumnKind.CONSTANT


def _unique_per_row(values: pl.Series) -> bool:
    count = values.len()
    return count >= MIN_ROWS_FOR_SHAPE and values.n_unique() >= IDENTIFIER_DISTINCT_SHARE * count
