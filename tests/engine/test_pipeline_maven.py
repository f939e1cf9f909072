"""The Maven CRM sales opportunities (8,800 real-looking B2B deals, Oct 2016 - Dec 2017)
through the pipeline engine: win rate, cycle time and the forecast backtest come out
sensibly. Read straight from the CSV with polars; skipped when the data set is absent.

How the file is read: ``engage_date`` is when the deal was created, ``close_date`` when
it closed; Won and Lost are closed, Engaging is an open deal (Qualification) and
Prospecting deals, which have no engage date yet, are left out. Won deals are worth
their ``close_value``; lost and open ones (the file has no value for them) their
product's list price. There is no stage history, so a closed deal's stage while it
was open is unknown.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from revloop.engine.pipeline import PipelineData
from revloop.engine.pipeline.backtest import backtest
from revloop.engine.pipeline.forecast import Period, forecast

FOLDER = "maven-crm-sales-opportunities"
STAGES = {"Won": "won", "Lost": "lost", "Engaging": "qualification"}
AFTER_THE_LAST_DAY = dt.datetime(2018, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def maven(datasets: Path) -> PipelineData:
    folder = datasets / FOLDER
    if not (folder / "sales_pipeline.csv").is_file():
        pytest.skip(f"{folder} not present")
    deals = pl.read_csv(folder / "sales_pipeline.csv", try_parse_dates=True)
    # The pipeline file spells one product "GTXPro", the price list "GTX Pro".
    prices = pl.read_csv(folder / "products.csv").select(
        pl.col("product").str.replace_all(" ", "").alias("key"),
        pl.col("sales_price").cast(pl.Float64),
    )
    known = deals.filter(pl.col("engage_date").is_not_null()).with_columns(
        key=pl.col("product").str.replace_all(" ", "")
    )
    agents = {name: i + 1 for i, name in enumerate(sorted(known["sales_agent"].unique()))}
    rows = (
        known.join(prices, on="key", how="left")
        .sort("opportunity_id")
        .with_row_index("id", offset=1)
        .select(
            pl.col("id").cast(pl.Int64),
            pl.col("sales_agent").replace_strict(agents, return_dtype=pl.Int64).alias("owner_id"),
            pl.col("engage_date").cast(pl.Datetime("us", "UTC")).alias("created_at"),
            pl.col("close_date").cast(pl.Datetime("us", "UTC")).alias("closed_at"),
            pl.col("deal_stage").replace_strict(STAGES).alias("stage"),
            pl.when(pl.col("deal_stage") == "Won")
            .then(pl.col("close_value").cast(pl.Float64))
            .otherwise(pl.col("sales_price"))
            .alias("amount"),
            pl.coalesce("close_date", "engage_date").alias("close_date"),
        )
    )
    assert rows.get_column("amount").null_count() == 0
    return PipelineData.of(rows)


def test_win_rate_and_cycle_time(maven: PipelineData) -> None:
    deals = maven.opportunities
    won = deals.filter(pl.col("stage") == "won")
    closed = deals.filter(pl.col("stage").is_in(["won", "lost"]))
    assert (won.height, closed.height) == (4238, 6711)
    assert 0.55 < won.height / closed.height < 0.70  # 63.2%
    days = won.select((pl.col("closed_at") - pl.col("created_at")).dt.total_days()).to_series()
    assert 30 <= days.median() <= 90  # 57 days; a quarter of the wins close within 9
    assert days.min() >= 0


def test_forecast_backtest(maven: PipelineData) -> None:
    report = backtest(maven, AFTER_THE_LAST_DAY, 4).as_dict()
    # 2017-Q1 and Q2 rest on too little history (the file starts in October 2016).
    assert [q["period"] for q in report["quarters"]] == ["2017-Q3", "2017-Q4"]
    assert report["mape"] < 0.4  # 17.8%, naive 19.5%
    for quarter in report["quarters"]:
        assert quarter["low"] < quarter["forecast"] < quarter["high"]
        assert 2_000_000 < quarter["actual"] < 4_000_000


def test_the_open_deals_forecast_without_a_forecast_category(maven: PipelineData) -> None:
    result = forecast(maven, AFTER_THE_LAST_DAY, Period.quarter_of(AFTER_THE_LAST_DAY.date()))
    assert result.open_deals == 1589
    assert result.as_dict()["forecast_category"] == "absent"
    assert 0 < result.expected_open < result.open_amount
