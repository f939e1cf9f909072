"""The same analyses on Apache Spark (local mode): few and small, Spark is slow to ask."""

from __future__ import annotations

from typing import Any

import pytest
from polars.testing import assert_frame_equal

from revloop.engine.analytics import (
    RULE_BASED,
    JourneyQuery,
    content_effectiveness,
    funnel,
    markov,
    rule_based,
    shapley_pushdown,
    tables_from_arrow,
    totals,
)
from revloop.engine.attribution import run_model
from tests.analytics.demo_data import SOURCES, demo_frames, reference_journeys, spark_tables
from tests.analytics.test_attribution_pushdown import assert_same_credit

pytestmark = pytest.mark.slow


def test_spark_gives_the_same_figures(spark: Any) -> None:
    frames = demo_frames(400, seed=5)
    on_spark = spark_tables(frames, spark, prefix="revloop_test_")
    on_duckdb = tables_from_arrow(frames, SOURCES)

    query = JourneyQuery(outcome="pipeline", level="campaign", lookback_days=90.0)
    reference = reference_journeys(frames, query)
    assert_same_credit(markov(on_spark, query), run_model("markov", reference))
    pushed = rule_based(on_spark, query)
    for model in RULE_BASED:
        assert_same_credit(pushed[model], run_model(model, reference))
    assert_same_credit(shapley_pushdown(on_spark, query), run_model("shapley", reference))
    assert totals(on_spark, query) == totals(on_duckdb, query)

    assert_frame_equal(
        funnel(on_spark, by=("source", "cohort")).steps,
        funnel(on_duckdb, by=("source", "cohort")).steps,
        check_exact=False,
    )
    assert_frame_equal(
        content_effectiveness(on_spark).assets,
        content_effectiveness(on_duckdb).assets,
        check_exact=False,
    )
