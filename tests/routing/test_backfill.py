"""Recent MQLs' SLA history, replayed from their stage moves and calls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from revloop.activity.models import Touch
from revloop.demo.seed import seed_demo
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.routing.backfill import do_backfill_sla_history
from revloop.routing.models import Assignment, ClockKind, SlaBreach, SlaClock
from revloop.routing.queries import open_work, sla_compliance
from revloop.routing.weeks import week_start
from revloop.users.models import User

from .conftest import BERLIN_MORNING


def _promoted(make_mql: Callable[..., Person], owner: User) -> Person:
    lead = make_mql(region="EMEA", owner=owner)
    StageTransition.objects.create(
        person=lead, from_stage="lead", to_stage="mql", at=BERLIN_MORNING
    )
    return lead


def _clock(lead: Person, kind: ClockKind) -> SlaClock:
    return SlaClock.objects.get(person=lead, kind=kind)


def test_a_quick_acceptance_keeps_both_promises(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    lena = team["lena"]
    lead = _promoted(make_mql, lena)
    StageTransition.objects.create(
        person=lead,
        from_stage="mql",
        to_stage="sal",
        at=BERLIN_MORNING + timedelta(hours=2),
        by_user=lena,
    )
    now = BERLIN_MORNING + timedelta(days=1)

    result = do_backfill_sla_history(now, since=BERLIN_MORNING - timedelta(days=7))

    assert result == {"assignments": 1, "clocks": 3, "breaches": 0}
    assignment = Assignment.objects.get(person=lead)
    assert (assignment.rep, assignment.at, assignment.rule_id) == (
        lena,
        BERLIN_MORNING,
        "existing_owner",
    )
    touch = _clock(lead, ClockKind.FIRST_TOUCH)
    assert (touch.stop_reason, touch.breached_at) == ("accepted", None)
    # The accepting call was the first attempt; two more are due within five days.
    attempts = _clock(lead, ClockKind.ATTEMPTS)
    assert attempts.attempts_done == 1
    assert attempts.stopped_at is None


def test_an_ignored_lead_is_breached_and_escalated_without_reassignment(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    lead = _promoted(make_mql, team["jonas"])
    Touch.objects.create(
        event_id="call-1",
        person=lead,
        occurred_at=BERLIN_MORNING + timedelta(hours=30),
        type="call",
    )
    now = BERLIN_MORNING + timedelta(days=3)

    do_backfill_sla_history(now, since=BERLIN_MORNING - timedelta(days=7))

    touch = _clock(lead, ClockKind.FIRST_TOUCH)
    assert touch.stop_reason == "touched_call"
    assert touch.breached_at is not None
    assert touch.escalated_to == team["erik"]
    decide = _clock(lead, ClockKind.ACCEPT_OR_REJECT)
    assert decide.stopped_at is None
    assert decide.breached_at is not None
    assert SlaBreach.objects.filter(person=lead).count() == 2
    assert Assignment.objects.get(person=lead).rep == team["jonas"]


def test_a_second_backfill_records_nothing_again(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    _promoted(make_mql, team["sofia"])
    since = BERLIN_MORNING - timedelta(days=7)
    do_backfill_sla_history(BERLIN_MORNING + timedelta(hours=1), since=since)

    again = do_backfill_sla_history(BERLIN_MORNING + timedelta(hours=2), since=since)

    assert again["assignments"] == 0
    assert SlaClock.objects.count() == 3


@pytest.mark.slow
def test_the_demo_company_has_an_sla_record_and_running_clocks(db: None) -> None:
    now = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)  # a Thursday, both teams at work
    seed_demo(leads=1500, seed=11, now=now)

    report = sla_compliance(week_start(now))
    assert report.sales.met > 0
    assert report.sales.breached > 0
    assert report.marketing.mqls > 0
    reps = User.objects.filter(groups__name="sales_rep")
    running = [item for item in open_work(reps, now) if item.seconds_left > 0]
    assert running
    assert {item.rep_username for item in running} >= {"lena", "rachel"}
