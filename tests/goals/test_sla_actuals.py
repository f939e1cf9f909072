"""Both teams' SLA compliance as goals: Sales' deadlines kept, Marketing's weeks met."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from revloop.contracts.versions import active_contract
from revloop.engine.sla.stops import Clock, kept_reasons
from revloop.engine.vocabulary import Role
from revloop.goals.actions import do_set_goal
from revloop.goals.progress import goal_progress
from revloop.routing.models import Assignment, SlaClock
from revloop.users.models import User
from tests import factories

NOW = datetime(2027, 2, 15, 12, tzinfo=UTC)  # a Monday


def _clock(rep: User, due: datetime, *, kept: bool | None) -> None:
    """A first-touch clock due at ``due``: kept, missed (breached), or still running."""
    subject = factories.person()
    assignment = Assignment.objects.create(person=subject, rep=rep, at=due - timedelta(hours=4))
    reason = sorted(kept_reasons(Clock.FIRST_TOUCH))[0]
    SlaClock.objects.create(
        person=subject,
        assignment=assignment,
        rep=rep,
        kind=Clock.FIRST_TOUCH.value,
        started_at=due - timedelta(hours=4),
        due_at=due,
        stopped_at=due - timedelta(hours=1) if kept else None,
        stop_reason=reason if kept else "",
        breached_at=due if kept is False else None,
    )


def test_sales_sla_compliance_counts_deadlines_kept_of_those_decided(
    manager: User, make_user: Callable[..., User]
) -> None:
    lena = make_user("lena", Role.SALES_REP, team="EMEA")
    tom = make_user("tom", Role.SALES_REP, team="NA")
    day = datetime(2027, 1, 12, 15, tzinfo=UTC)
    for kept in (True, True, True, False):
        _clock(lena, day, kept=kept)
    _clock(lena, day, kept=None)  # stopped without keeping or missing: not counted
    _clock(tom, day, kept=False)
    sales, _ = do_set_goal(
        team="sales",
        metric="sales_sla_compliance",
        period="2027-Q1",
        target="90%",
        by=manager,
        now=NOW,
    )
    assert goal_progress(sales, NOW)["actual"] == 0.6
    emea, _ = do_set_goal(
        team="group",
        group="EMEA",
        metric="sales_sla_compliance",
        period="2027-Q1",
        target="90%",
        by=manager,
        now=NOW,
    )
    found = goal_progress(emea, NOW)
    assert found["actual"] == 0.75
    assert found["events"] == 4


def test_marketing_sla_compliance_counts_the_weeks_that_met_the_contract(
    manager: User, rep: User
) -> None:
    terms = active_contract()[1].sla.marketing
    monday = datetime(2027, 1, 4, 10, tzinfo=UTC)
    for i in range(terms.mql_per_week):
        subject = factories.person()
        factories.transition(
            subject, from_stage="lead", to_stage="mql", at=monday + timedelta(minutes=i)
        )
        factories.transition(
            subject, from_stage="mql", to_stage="sal", at=monday + timedelta(hours=2), by_user=rep
        )
    goal, _ = do_set_goal(
        team="marketing",
        metric="marketing_sla_compliance",
        period="2027-Q1",
        target="80%",
        by=manager,
        now=NOW,
    )
    found = goal_progress(goal, NOW)
    # A week counts in the period it ends in: seven have ended in the quarter (28
    # December to 14 February). The one of 4 January met the contract's MQL volume and
    # acceptance; the empty ones did not.
    assert found["events"] == 7
    assert found["actual"] == round(1 / 7, 4)
    assert found["status"] == "behind"
