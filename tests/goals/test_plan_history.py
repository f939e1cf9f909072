"""The plan's rates, lags and deal size as measured from the database: young cohorts
wait until they have had time to mature."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from revloop.goals.planning import make_plan, read_request
from tests import factories

PATH = ("mql", "sal", "sql", "opportunity", "customer")


def _person(created, reached: int, days: tuple[int, ...]) -> None:
    """A person created at ``created`` who moved ``reached`` stages along the path,
    the k-th on day ``days[k]`` after creation."""
    stage = "lead" if reached == 0 else PATH[reached - 1]
    last = created + timedelta(days=days[reached - 1]) if reached else created
    subject = factories.person(created_at=created, stage=stage, stage_changed_at=last)
    before = "lead"
    for k in range(reached):
        factories.transition(
            subject, from_stage=before, to_stage=PATH[k], at=created + timedelta(days=days[k])
        )
        before = PATH[k]


def test_the_plan_reads_matured_cohorts_and_says_what_it_rests_on(db: None) -> None:
    now = timezone.now()
    old = now - timedelta(days=400)
    days = (10, 11, 13, 20, 60)
    # 40 people of an old cohort: 20 became MQL, 10 SAL, SQL and opportunity, 5 won.
    for _ in range(5):
        _person(old, 5, days)
    for _ in range(5):
        _person(old, 4, days)
    for _ in range(10):
        _person(old, 1, days)
    for _ in range(20):
        _person(old, 0, days)
    # 30 people created last week, still leads: too young to say anything yet.
    for _ in range(30):
        _person(now - timedelta(days=5), 0, days)
    for _ in range(5):
        factories.opportunity(
            amount=Decimal("10000.00"),
            stage="won",
            created_at=now - timedelta(days=90),
            closed_at=now - timedelta(days=30),
        )

    today = timezone.localdate(now)
    # A month starting 50 days from now: its leads are due from 10 days ago (60 days
    # of lags before it), so last week's leads already count towards it.
    first = today + timedelta(days=50)
    period = f"{first.isoformat()}..{(first + timedelta(days=29)).isoformat()}"
    plan = make_plan(read_request("20000", period, today=today), now)

    rates = {(r["from_stage"], r["to_stage"]): r for r in plan["rates"]}
    assert (rates["lead", "mql"]["converted"], rates["lead", "mql"]["reached"]) == (20, 40)
    assert (rates["mql", "sal"]["converted"], rates["mql", "sal"]["reached"]) == (10, 20)
    assert rates["opportunity", "customer"]["rate"] == 0.5
    assert rates["lead", "mql"]["lag_days"] == 10
    assert rates["opportunity", "customer"]["lag_days"] == 40
    assert "whose cohorts have had the usual lead-to-customer time" in plan["notes"][0]
    # 20,000 ÷ 10,000 = 2 customers → 4 opportunities → 4 SQLs → 4 SALs → 8 MQLs → 16 leads.
    assert [s["needed"] for s in plan["stages"]] == [16, 8, 4, 4, 4, 2]
    assert (plan["deal_size"], plan["deals"]) == ("10000.00", 5)
    warnings = " | ".join(plan["warnings"])
    assert "the average deal rests on 5 won deals" in warnings
    assert "mql → sal rests on 10 of 20 people" in warnings
    assert "lead → mql" not in warnings
    leads, mqls = plan["stages"][0], plan["stages"][1]
    assert leads["from"] == (today - timedelta(days=10)).isoformat()
    assert (leads["so_far"], leads["to_go"]) == (30, 0)
    assert (mqls["so_far"], mqls["to_go"]) == (0, 8)
