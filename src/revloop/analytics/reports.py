"""The closed-loop reports as JSON-able dicts: funnel and velocity, attribution (one
model or several side by side), content effectiveness, rejection reasons.

Each report is computed by :mod:`revloop.engine.analytics` on the engine chosen in
:mod:`.engines` and kept in the cache of :mod:`.cache` until the data changes. Use one
:class:`Reports` for several reports: the tables are opened (or copied into DuckDB)
once, and only if some report is not in the cache::

    with Reports() as reports:
        funnel = reports.funnel(by=("source",))
        credit = reports.attribution(AttributionParams(model="markov"))
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from itertools import chain
from types import TracebackType
from typing import Any

from django.utils import timezone

from revloop.analytics.cache import cached, data_version
from revloop.analytics.choices import LEVELS, MODEL_LABELS, OUTCOMES
from revloop.analytics.engines import open_tables, resolve_engine, source_mapping
from revloop.analytics.misinformed import cached_misinformed_report
from revloop.analytics.models import ReportCache
from revloop.analytics.paths import check_choice, check_model, credit_rows, jsonable
from revloop.analytics.store import StoredCopy, current_copy, open_copy
from revloop.core.bounds import check_lookback
from revloop.core.errors import InvalidInputError
from revloop.engine.analytics import (
    DIMENSIONS,
    REJECTION_SLICES,
    RULE_BASED,
    AttributionReport,
    JourneyQuery,
    Period,
    Tables,
    attribute,
    content_effectiveness,
    funnel,
    rejection_reasons,
    rule_based,
    totals,
)
from revloop.engine.attribution import AttributionOptions, AttributionResult
from revloop.engine.attribution.markov import MAX_ORDER

__all__ = [
    "DEFAULT_COMPARE",
    "LEVELS",
    "MODEL_LABELS",
    "OUTCOMES",
    "AttributionParams",
    "Reports",
    "refresh_reports",
]

#: The models the Marketing page compares side by side unless told otherwise.
DEFAULT_COMPARE = (
    "first",
    "last",
    "linear",
    "u_shaped",
    "w_shaped",
    "time_decay",
    "markov",
    "shapley",
)


@dataclass(frozen=True)
class AttributionParams:
    """What one attribution runs: model, outcome, level, lookback, the period whose
    conversions count (``None``: all time) and model knobs."""

    model: str = "markov"
    outcome: str = "revenue"
    level: str = "channel"
    lookback_days: float | None = 90.0
    markov_order: int = 1
    half_life_days: float = 7.0
    period: Period | None = None

    def __post_init__(self) -> None:
        check_model(self.model)
        check_choice("outcome", self.outcome, OUTCOMES)
        check_choice("level", self.level, LEVELS)
        check_lookback(self.lookback_days)
        if not 1 <= self.markov_order <= MAX_ORDER:
            raise InvalidInputError(f"markov_order: must be 1 to {MAX_ORDER}")
        if not self.half_life_days > 0:
            raise InvalidInputError("half_life_days: must be > 0")

    def query(self) -> JourneyQuery:
        return JourneyQuery(
            outcome=self.outcome,  # type: ignore[arg-type]
            level=self.level,  # type: ignore[arg-type]
            lookback_days=self.lookback_days,
            period=self.period,
        )

    def options(self) -> AttributionOptions:
        return AttributionOptions(
            half_life_days=self.half_life_days, markov_order=self.markov_order
        )

    def with_model(self, model: str) -> AttributionParams:
        return replace(self, model=model)


@dataclass
class Reports:
    """Reports on one engine, from the cache or computed (module docstring)."""

    engine: str | None = None
    fresh: bool = False
    #: Accept a report of older data computed at most this long ago (the page's policy).
    max_age: timedelta | None = None
    _stack: ExitStack = field(default_factory=ExitStack, init=False, repr=False)
    _tables: Tables | None = field(default=None, init=False, repr=False)
    _version: str = field(default="", init=False, repr=False)
    _cache_as: str = field(default="", init=False, repr=False)
    _copy: StoredCopy | None = field(default=None, init=False, repr=False)

    def __enter__(self) -> Reports:
        self.engine = resolve_engine(self.engine)
        self._cache_as = self.engine
        if self.engine in ("spark", "duckdb") and source_mapping() is not None:
            # The warehouse changes without revloop's data version moving: its reports
            # are always computed, and stored apart from those of revloop's own tables.
            self.fresh = True
            self._cache_as = f"{self.engine}+sources"
        elif self.engine == "duckdb":
            self._copy = current_copy()
        if self._copy is not None and self._copy.is_usable(None, self.max_age):
            # Recent enough for the page: its reports are those of the copy's data,
            # and the live data version is not even read.
            self._version = self._copy.version
            return self
        self._version = data_version()
        if self._copy is not None and not self._copy.is_usable(self._version, None):
            self._copy = None
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stack.close()

    @property
    def version(self) -> str:
        """The data version the reports are computed from (set on entering the block)."""
        return self._version

    @property
    def cache_as(self) -> str:
        """The engine name the reports are stored under."""
        return self._cache_as

    @property
    def tables(self) -> Tables:
        if self._tables is None:
            if self._copy is not None:
                self._tables = open_copy(self._copy)
                self._stack.callback(self._tables.backend.disconnect)
            else:
                self._tables = self._stack.enter_context(open_tables(self.engine))
        return self._tables

    def _cached(self, report: str, params: dict[str, Any], compute: Any) -> dict[str, Any]:
        assert self.engine is not None, "use Reports in a with block"
        return cached(
            report,
            jsonable(params),
            self._cache_as,
            lambda: jsonable(compute()),
            fresh=self.fresh,
            version=self._version,
            max_age=self.max_age,
        )

    # Funnel and velocity ---------------------------------------------------------

    def funnel(
        self,
        by: Sequence[str] = (),
        cohort_from: date | None = None,
        cohort_to: date | None = None,
    ) -> dict[str, Any]:
        """Conversion, drop-off and time in stage of every step, per slice of ``by``."""
        dims = tuple(d for d in by if d)
        for dim in dims:
            check_choice("by", dim, DIMENSIONS)
        if len(set(dims)) != len(dims) or len(dims) > 2:
            raise InvalidInputError("by: at most two different dimensions")
        if cohort_from and cohort_to and cohort_from >= cohort_to:
            raise InvalidInputError("from: must be before to")
        params = {"by": list(dims), "from": cohort_from, "to": cohort_to}
        return self._cached(
            "funnel",
            params,
            lambda: funnel(
                self.tables, by=dims, cohort_from=cohort_from, cohort_to=cohort_to
            ).as_dict(),
        )

    # Attribution -------------------------------------------------------------------

    def attribution(self, params: AttributionParams) -> dict[str, Any]:
        """One model's credit per label, largest value first."""

        def compute() -> dict[str, Any]:
            report = attribute(self.tables, params.model, params.query(), options=params.options())
            return _report_dict(report, params)

        return self._cached("attribution", _key(params), compute)

    def comparison(
        self, params: AttributionParams, models: Sequence[str] = DEFAULT_COMPARE
    ) -> dict[str, Any]:
        """Several models side by side: each label's value (and share) under each."""
        chosen = tuple(dict.fromkeys(check_model(m) for m in models))
        if not chosen:
            raise InvalidInputError("models: name at least one model")
        key = {**_key(params), "models": list(chosen)}
        del key["model"]
        return self._cached("comparison", key, lambda: self._compare(params, chosen))

    def _compare(self, params: AttributionParams, models: Sequence[str]) -> dict[str, Any]:
        query, options = params.query(), params.options()
        positional = tuple(m for m in models if m in RULE_BASED)
        results: dict[str, AttributionResult] = {}
        if positional:
            results.update(rule_based(self.tables, query, models=positional, options=options))
        for model in models:
            if model not in results:
                results[model] = attribute(self.tables, model, query, options=options).result
        everything = totals(self.tables, query)
        labels: dict[str, dict[str, Any]] = {}
        for model in models:
            result = results[model]
            total = float(result.value.sum())
            for i, label in enumerate(result.channels):
                row = labels.setdefault(label, {"label": label, "value": {}, "share": {}})
                row["value"][model] = float(result.value[i])
                row["share"][model] = float(result.value[i]) / total if total else None
        rows = sorted(
            labels.values(),
            key=lambda row: (-sum(v for v in row["value"].values()), row["label"]),
        )
        return {
            **{k: v for k, v in asdict(params).items() if k != "model"},
            "models": list(models),
            "model_labels": {m: MODEL_LABELS.get(m, m) for m in models},
            "engine": self.tables.engine,
            "total_conversions": everything.conversions,
            "total_value": everything.value,
            "unattributed_value": everything.unattributed_value,
            "rows": rows,
        }

    # Content and rejections ---------------------------------------------------------

    def content(
        self, lookback_days: float | None = 90.0, period: Period | None = None
    ) -> dict[str, Any]:
        """Every content asset: reach, outcomes vs others, attributed money, flags; the
        money only of conversions in ``period`` when one is given."""
        check_lookback(lookback_days)
        key: dict[str, Any] = {"lookback_days": lookback_days}
        if period is not None:
            # Without a period the key stays as it was: reports already cached still serve.
            key["period"] = period.as_dict()
        return self._cached(
            "content",
            key,
            lambda: content_effectiveness(
                self.tables, lookback_days=lookback_days, period=period
            ).as_dict(),
        )

    def rejections(self, by: str = "source") -> dict[str, Any]:
        """Rejection reasons per source, campaign or content asset."""
        check_choice("by", by, REJECTION_SLICES)
        return self._cached(
            "rejections", {"by": by}, lambda: rejection_reasons(self.tables, by).as_dict()
        )


def _key(params: AttributionParams) -> dict[str, Any]:
    """The cache key of ``params``; without a period, the key it had before periods."""
    key = asdict(params)
    if params.period is None:
        del key["period"]
    return key


def _report_dict(report: AttributionReport, params: AttributionParams) -> dict[str, Any]:
    found = report.as_dict()
    found["credit"] = credit_rows(report.result)
    found["model_label"] = MODEL_LABELS.get(params.model, params.model)
    found["markov_order"] = params.markov_order
    found["half_life_days"] = params.half_life_days
    return found


def refresh_reports(engine: str | None = None) -> list[dict[str, Any]]:
    """Compute every stale report the Marketing page shows by default, then the stale
    reports people asked for lately (another model, level or slice), so the page finds
    them computed too (the worker's periodic job); reports still current are left
    alone. Returns what each took."""
    done = []
    with Reports(engine=engine) as reports:
        default = AttributionParams()
        # Chained, not listed: the stale reports are looked up once the defaults are
        # current, so none is computed twice.
        for name, build in chain(_default_reports(reports, default), _asked_lately(reports)):
            found = build()
            done.append({"report": name, **found["cache"]})
    return done


def _default_reports(reports: Reports, default: AttributionParams) -> Iterator[tuple[str, Any]]:
    yield "funnel", reports.funnel
    yield "funnel by source", lambda: reports.funnel(by=("source",))
    yield "attribution", lambda: reports.attribution(default)
    yield "comparison", lambda: reports.comparison(default)
    yield "content", reports.content
    yield "misinformed", cached_misinformed_report
    yield "rejections by source", lambda: reports.rejections("source")


#: How far back a report someone asked for is kept computed, and how many such.
_ASKED_WITHIN = timedelta(days=2)
_ASKED_AT_MOST = 40


def _asked_lately(reports: Reports) -> Iterator[tuple[str, Any]]:
    """The stale stored reports of this engine computed within ``_ASKED_WITHIN``, newest
    first, each with a way to compute it again from its stored parameters."""
    stale = (
        ReportCache.objects.filter(
            engine=reports.cache_as, computed_at__gte=timezone.now() - _ASKED_WITHIN
        )
        .exclude(data_version=reports.version)
        .order_by("-computed_at")
        .values_list("report", "params")[:_ASKED_AT_MOST]
    )
    for report, params in stale:
        build = _rebuild(reports, report, params)
        if build is not None:
            yield f"{report} {json.dumps(params, sort_keys=True)}", build


def _rebuild(reports: Reports, report: str, params: dict[str, Any]) -> Any:
    def day(text: str | None) -> date | None:
        return date.fromisoformat(text) if text else None

    if report == "funnel":
        return lambda: reports.funnel(
            by=params["by"], cohort_from=day(params["from"]), cohort_to=day(params["to"])
        )
    if report == "attribution":
        return lambda: reports.attribution(AttributionParams(**params))
    if report == "comparison":
        chosen = {k: v for k, v in params.items() if k != "models"}
        return lambda: reports.comparison(AttributionParams(**chosen), params["models"])
    if report == "content":
        return lambda: reports.content(params["lookback_days"])
    if report == "rejections":
        return lambda: reports.rejections(params["by"])
    # A report of another kind (the misinformed one keeps its own version) is not ours.
    return None
