"""The reverse funnel against a case worked by hand."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from revloop.engine.goals import (
    History,
    Period,
    PlanError,
    Step,
    reverse_funnel,
    reverse_funnel_by_channel,
)

Q1 = Period.quarter(2027, 1)
TODAY = date(2026, 10, 1)


def _steps(*rows: tuple[int, int, float]) -> tuple[Step, ...]:
    stages = ("lead", "mql", "sal", "sql", "opportunity", "customer")
    return tuple(
        Step(a, b, converted=c, reached=d, lag_days=lag, lag_n=c)
        for (a, b), (c, d, lag) in zip(itertools.pairwise(stages), rows, strict=True)
    )


HISTORY = History(
    # lead→MQL 10%, MQL→SAL 50%, SAL→SQL 80%, SQL→opportunity 50%, opportunity→won 25%
    steps=_steps((100, 1000, 6.0), (50, 100, 2.5), (40, 50, 3.0), (20, 40, 10.0), (50, 200, 44.2)),
    deal_size=Decimal("10000.00"),
    deals=50,
    currency="USD",
)


def test_revenue_back_to_leads_worked_by_hand() -> None:
    plan = reverse_funnel(Decimal(100_000), Q1, HISTORY, TODAY)
    # 100,000 ÷ 10,000 = 10 customers; ÷ 25% = 40 opportunities; ÷ 50% = 80 SQLs;
    # ÷ 80% = 100 SALs; ÷ 50% = 200 MQLs; ÷ 10% = 2,000 new leads.
    assert [(s.stage, s.needed) for s in plan.stages] == [
        ("lead", 2000),
        ("mql", 200),
        ("sal", 100),
        ("sql", 80),
        ("opportunity", 40),
        ("customer", 10),
    ]
    # Lags rounded up: 45 days opportunity→won, 10 + 45 from SQL, 3 + 55 from SAL,
    # 3 + 58 from MQL, 6 + 61 from lead.
    assert [s.days_to_win for s in plan.stages] == [67, 61, 58, 55, 45, 0]
    lead = plan.need("lead")
    assert (lead.window_from, lead.window_by) == (date(2026, 10, 26), date(2027, 1, 23))
    assert plan.need("customer").window_by == date(2027, 3, 31)
    assert plan.warnings == ()


def test_an_uneven_target_rounds_up_at_every_stage() -> None:
    plan = reverse_funnel(Decimal(25_000), Q1, HISTORY, TODAY)
    # 2.5 → 3 customers → 12 opportunities → 24 SQLs → 30 SALs → 60 MQLs → 600 leads.
    assert [s.needed for s in plan.stages] == [600, 60, 30, 24, 12, 3]


def test_thin_history_and_a_passed_deadline_are_warned_about() -> None:
    thin = History(
        steps=_steps((100, 1000, 6.0), (5, 10, 2.5), (40, 50, 3.0), (20, 40, 10.0), (5, 20, 44.2)),
        deal_size=Decimal(10_000),
        deals=5,
        currency="USD",
    )
    plan = reverse_funnel(Decimal(100_000), Q1, thin, date(2027, 1, 10))
    text = " | ".join(plan.warnings)
    assert "mql → sal rests on 5 of 10 people" in text
    assert "opportunity → customer rests on 5 of 20 people" in text
    assert "the average deal rests on 5 won deals" in text
    assert "lead stage needed by 2027-01-23" not in text
    assert "too late at the usual pace: lead stage needed by" not in text
    late = reverse_funnel(Decimal(100_000), Q1, thin, date(2027, 2, 1))
    assert any("lead stage needed by 2027-01-23, which has passed" in w for w in late.warnings)


def test_a_step_nobody_ever_took_cannot_carry_a_plan() -> None:
    broken = History(
        steps=_steps((0, 1000, 6.0), (5, 10, 2.5), (4, 5, 3.0), (2, 4, 10.0), (5, 20, 44.0)),
        deal_size=Decimal(10_000),
        deals=5,
        currency="USD",
    )
    with pytest.raises(PlanError, match="rate lead → mql: 0 of 1000"):
        reverse_funnel(Decimal(100_000), Q1, broken, TODAY)


def test_by_channel_the_target_splits_by_past_customers_and_thin_steps_borrow() -> None:
    webinar = _steps((60, 300, 6.0), (30, 60, 2.5), (24, 30, 3.0), (12, 24, 10.0), (30, 120, 44.2))
    ads = _steps((40, 700, 6.0), (20, 40, 2.5), (16, 20, 3.0), (8, 16, 10.0), (20, 80, 44.2))
    plans = reverse_funnel_by_channel(
        Decimal(100_000), Q1, HISTORY, {"webinar": (webinar, 30), "ads": (ads, 20)}, TODAY
    )
    assert [(p.channel, p.share, p.revenue) for p in plans] == [
        ("webinar", 0.6, Decimal("60000.00")),
        ("ads", 0.4, Decimal("40000.00")),
    ]
    # Webinar: 6 customers → 24 → 48 → 60 → 120 → 600 leads at its own 20%.
    assert [s.needed for s in plans[0].stages] == [600, 120, 60, 48, 24, 6]
    # Ads' SAL→SQL and SQL→opportunity rest on under 30 people: the company's
    # rates are used there, its own for the rest (lead→MQL 40 of 700: 80 MQLs need 1,400 leads).
    assert [s.borrowed for s in plans[1].history.steps] == [False, False, True, True, False]
    assert plans[1].need("lead").needed == 1400
