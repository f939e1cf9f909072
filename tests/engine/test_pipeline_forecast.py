"""The forecast on a generated history whose answer is known.

Two deals a day, each worth 1,000, sit in Discovery for 30 days and then are won with
probability 0.4, else lost. A quarter that starts with the last 30 days' deals open
and creates deals for 91 days therefore expects 0.4 * 1,000 * 2 * (30 + 61) = 72,800
(deals created in its last 30 days close after it ends).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from revloop.engine.pipeline import PipelineData
from revloop.engine.pipeline.backtest import backtest
from revloop.engine.pipeline.forecast import Period, forecast
from tests.engine.pipeline_history import History

START = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
PER_DAY = 2
P_WIN = 0.4
CYCLE = dt.timedelta(days=30)


def generated(*, categories: bool = False) -> PipelineData:
    rng = np.random.default_rng(5)
    history = History()
    days = (NOW - START).days + 40
    next_id = 1
    for day in range(days):
        for k in range(PER_DAY):
            created = START + dt.timedelta(days=day, hours=9 + 4 * k)
            if created >= NOW:
                continue
            won = bool(rng.random() < P_WIN)
            close = created + CYCLE
            closed = close if close < NOW else None
            stage = ("won" if won else "lost") if closed else "discovery"
            history.deal(
                next_id,
                created=created,
                owner=1 + next_id % 3,
                stage=stage,
                amount=1000.0,
                closed=closed,
                close_date=close.date(),
                category=("commit" if next_id % 2 else "pipeline") if categories else None,
            )
            if closed:
                history.change(next_id, closed, "stage", "discovery", stage)
            next_id += 1
    return history.data()


KNOWN = P_WIN * 1000 * PER_DAY * (30 + 61)


def test_each_backtest_quarter_lands_near_the_known_answer() -> None:
    data = generated()
    report = backtest(data, NOW, 4).as_dict()
    assert [q["period"] for q in report["quarters"]] == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    for quarter in report["quarters"]:
        # The model's expectation is the known one; the actual draw varies around it.
        assert quarter["forecast"] == pytest.approx(KNOWN, rel=0.12)
        assert quarter["low"] < quarter["forecast"] < quarter["high"]
    assert report["mape"] < 0.15
    assert report["coverage"]["numerator"] >= 3
    assert report["coverage"]["denominator"] == 4


def test_the_naive_baseline_is_pipeline_times_the_overall_win_rate() -> None:
    data = generated()
    result = forecast(data, NOW, Period.quarter_of(NOW.date()))
    rate = result.overall_won / result.overall_closed
    assert rate == pytest.approx(P_WIN, abs=0.03)
    assert result.naive == pytest.approx(result.open_amount * rate)
    assert result.open_deals == pytest.approx(PER_DAY * 30, abs=2)


def test_open_deals_get_the_historical_chance_of_closing_in_the_period() -> None:
    data = generated()
    this = Period.quarter_of(NOW.date())
    now = forecast(data, NOW, this)
    # Every open deal closes within 30 days, inside this quarter, at 40%.
    assert now.deals.get_column("p").mean() == pytest.approx(P_WIN, abs=0.05)
    later = forecast(data, NOW, this.following())
    # None of today's open deals is still open next quarter.
    assert later.expected_open == pytest.approx(0.0, abs=1000.0)
    assert later.period.label == "2027-Q1"


def test_commit_and_best_case_come_from_the_forecast_category_when_present() -> None:
    absent = forecast(generated(), NOW, Period.quarter_of(NOW.date())).as_dict()
    assert absent["forecast_category"] == "absent"
    assert absent["commit"] is None
    assert "no forecast category" in absent["gap"]["explained"]

    data = generated(categories=True)
    present = forecast(data, NOW, Period.quarter_of(NOW.date()))
    committed = present.deals.filter(present.deals["category"] == "commit").height
    assert present.commit == pytest.approx(1000.0 * committed)
    assert present.best_case == present.commit
    gap = present.gap()
    assert gap["expected_minus_commit"] == pytest.approx(
        present.expected - present.commit, abs=0.01
    )
    assert len(gap["committed_deals_history_doubts"]) == 5
