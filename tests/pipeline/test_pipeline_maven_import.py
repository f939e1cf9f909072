"""The Maven CRM opportunities imported as they come (`revloop import opportunities`),
then read back by the pipeline engine: win rate, cycle time and the forecast backtest
come out sensibly. Skipped when the data sets folder is absent.

As it comes, the file records an amount only on won deals (their close value); lost
and open deals are stored at 0. Counted at 0, they add nothing to a forecast, and a
backtest on the stored amounts sees which deals were won: the engine-only test
(tests/engine/test_pipeline_maven.py) prices them at list price instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from revloop.capture.actions import do_import_file
from revloop.engine.contract import PipelineChecks
from revloop.pipeline.honesty import forecast_report
from revloop.pipeline.loading import load_pipeline

MAVEN = "maven-crm-sales-opportunities"
AFTER_THE_LAST_DAY = datetime(2018, 1, 1, tzinfo=UTC)


@pytest.fixture
def imported(db: None, datasets: Path) -> None:
    path = datasets / MAVEN / "sales_pipeline.csv"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    do_import_file("accounts", datasets / MAVEN / "accounts.csv")
    do_import_file("opportunities", path)


@pytest.mark.usefixtures("imported")
def test_win_rate_cycle_time_and_backtest() -> None:
    data, _ = load_pipeline(PipelineChecks())
    deals = data.opportunities
    won = deals.filter(pl.col("stage") == "won")
    closed = deals.filter(pl.col("stage").is_in(["won", "lost"]))
    assert (won.height, closed.height) == (4238, 6711)  # 63.2%
    days = won.select((pl.col("closed_at") - pl.col("created_at")).dt.total_days()).to_series()
    assert days.median() == 57

    report = forecast_report(now=AFTER_THE_LAST_DAY, backtest_quarters=4)
    backtest = report["backtest"]
    assert [q["period"] for q in backtest["quarters"]] == ["2017-Q3", "2017-Q4"]
    for quarter in backtest["quarters"]:
        assert 2_500_000 < quarter["actual"] < 3_100_000
        assert quarter["low"] <= quarter["forecast"] <= quarter["high"]
    assert backtest["mape"] < 0.4  # 20.0%; naive 70.1% (open deals stored at 0)
    this = report["periods"][0]
    assert this["forecast_category"] == "absent"
    assert this["open_pipeline"]["deals"] == 1589
    assert this["naive"]["win_rate"] == {"rate": 0.6315, "numerator": 4238, "denominator": 6711}
