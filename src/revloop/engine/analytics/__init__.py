"""Closed-loop analytics, written once with Ibis, run by the engine that holds the data.

Funnel conversion and velocity (:mod:`.funnel`), multi-touch attribution pushed down
to the engine (:mod:`.attribution`), content effectiveness (:mod:`.content`) and
rejection reasons by source, campaign and content (:mod:`.rejections`) take one
:class:`Tables` -- the revloop tables on SQLite, PostgreSQL, Spark or DuckDB -- and
return small polars frames and dataclasses with ``as_dict()`` for JSON (``sources``
says where each table is stored; the Django apps build it from their models)::

    tables = load_tables(connect("sqlite:///.revloop/revloop.sqlite3"), sources)
    report = funnel(tables, by="source")
    credit = attribute(tables, "markov", JourneyQuery(outcome="revenue", level="campaign"))

SQLite answers each analysis itself, fine for the embedded default's sizes (about
2-4 s per analysis at 100,000 leads / 1M touches). Past that, copy the columns into
an in-process DuckDB first and run the same analyses there; the copy costs about
1.3 s per million touches and each analysis then takes a second or two::

    fast = materialize(tables)                                    # everything, once
    fast = materialize(tables, columns=attribution_columns(query))  # one analysis
"""

from __future__ import annotations

from revloop.engine.analytics.attribution import (
    RULE_BASED,
    AttributionReport,
    Contacts,
    JourneyQuery,
    LabelSets,
    Level,
    Outcome,
    Totals,
    attribute,
    attribution_columns,
    fetch_journeys,
    markov,
    markov_counts,
    rule_based,
    shapley_pushdown,
    shapley_sets,
    totals,
)
from revloop.engine.analytics.content import ContentReport, content_effectiveness
from revloop.engine.analytics.funnel import DIMENSIONS, FunnelReport, funnel, funnel_columns
from revloop.engine.analytics.rejections import (
    REJECTION_SLICES,
    RejectionReport,
    rejection_reasons,
)
from revloop.engine.analytics.tables import (
    COLUMNS,
    Source,
    Sources,
    Tables,
    TablesError,
    connect,
    load_tables,
    materialize,
    open_materialized,
    own_sources,
    tables_from_arrow,
)
from revloop.engine.period import PERIOD_NAMES, Period, resolve_period

__all__ = [
    "COLUMNS",
    "DIMENSIONS",
    "PERIOD_NAMES",
    "REJECTION_SLICES",
    "RULE_BASED",
    "AttributionReport",
    "Contacts",
    "ContentReport",
    "FunnelReport",
    "JourneyQuery",
    "LabelSets",
    "Level",
    "Outcome",
    "Period",
    "RejectionReport",
    "Source",
    "Sources",
    "Tables",
    "TablesError",
    "Totals",
    "attribute",
    "attribution_columns",
    "connect",
    "content_effectiveness",
    "fetch_journeys",
    "funnel",
    "funnel_columns",
    "load_tables",
    "markov",
    "markov_counts",
    "materialize",
    "open_materialized",
    "own_sources",
    "rejection_reasons",
    "resolve_period",
    "rule_based",
    "shapley_pushdown",
    "shapley_sets",
    "tables_from_arrow",
    "totals",
]
