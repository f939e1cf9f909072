"""Recent MQLs' SLA history, replayed from their stage moves and calls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from revloop.activity.models import Touch
from revloop.demo.seed import seed_demo
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.routing.actions import do_backfill_sla_history
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


def _accepted(lead: Person, rep: User, after: timedelta) -> None:
    StageTransition.objects.create(
        person=lead, from_stage="mql", to_stage="sal", at=BERLIN_MORNING + after, by_user=rep
    )


def _called(lead: Person, after: timedelta, kind: str = "call", channel: str = "") -> None:
    Touch.objects.create(
        event_id=f"{kind}-{lead.pk}-{after}",
        person=lead,
        occurred_at=BERLIN_MORNING + after,
        type=kind,
        channel=channel,
    )


def test_a_quick_call_and_acceptance_keep_both_promises(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    lena = team["lena"]
    lead = _promoted(make_mql, lena)
    _called(lead, timedelta(hours=1, minutes=30))
    _accepted(lead, lena, timedelta(hours=2))
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
    assert (touch.stop_reason, touch.breached_at) == ("touched_call", None)
    assert _clock(lead, ClockKind.ACCEPT_OR_REJECT).stop_reason == "accepted"
    # The call was the first attempt; two more are due within five days.
    attempts = _clock(lead, ClockKind.ATTEMPTS)
    assert attempts.attempts_done == 1
    assert attempts.stopped_at is None


def test_a_lead_accepted_at_once_but_never_called_misses_the_first_touch(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    """Accepting is a decision, not a touch: it keeps the accept-or-reject promise alone."""
    lena = team["lena"]
    lead = _promoted(make_mql, lena)
    _accepted(lead, lena, timedelta(minutes=10))
    _called(lead, timedelta(hours=1), kind="email_click", channel="email")

    result = do_backfill_sla_history(
        BERLIN_MORNING + timedelta(days=1), since=BERLIN_MORNING - timedelta(days=7)
    )

    assert result["breaches"] == 1
    touch = _clock(lead, ClockKind.FIRST_TOUCH)
    assert (touch.stopped_at, touch.breached_at is not None) == (None, True)
    decided = _clock(lead, ClockKind.ACCEPT_OR_REJECT)
    assert (decided.stop_reason, decided.breached_at) == ("accepted", None)
    assert _clock(lead, ClockKind.ATTEMPTS).attempts_done == 0
    assert SlaBreach.objects.get(person=lead).kind == "first_touch"


def test_a_synced_sales_email_in_time_keeps_the_first_touch(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    lead = _promoted(make_mql, team["sofia"])
    _called(lead, timedelta(hours=3), kind="email_open", channel="sales_outreach")

    do_backfill_sla_history(
        BERLIN_MORNING + timedelta(hours=5), since=BERLIN_MORNING - timedelta(days=7)
    )

    touch = _clock(lead, ClockKind.FIRST_TOUCH)
    assert (touch.stop_reason, touch.breached_at) == ("touched_email", None)


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
    # Most first touches are made in time; some reps accept and call late or never.
    speed = report.sales.speed_to_lead
    assert speed.in_time.value is not None
    assert 0.4 < speed.in_time.value < 0.95
    assert speed.median_hours is not None
    assert speed.median_hours < 4
    stops = set(SlaClock.objects.filter(kind="first_touch").values_list("stop_reason", flat=True))
    assert "accepted" not in stops
    assert "touched_call" in stops
    assert report.marketing.mqls > 0
    reps = User.objects.filter(groups__name="sales_rep")
    running = [item for item in open_work(reps, now) if item.seconds_left > 0]
    assert running
    assert {item.rep_username for item in running} >= {"lena", "rachel"}
