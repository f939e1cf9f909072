"""The first-touch promise is kept only by a real contact attempt.

A logged or synced call, e-mail or meeting stops the first-touch clock; accepting the
lead stops the accept-or-reject clock alone; a marketing e-mail click stops nothing.
Speed to lead and first-touch compliance are counted from the first real attempt, and
the live clocks and the replayed history agree on the same events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from revloop.capture.actions import do_ingest_events
from revloop.engine.sla.speed import Rate
from revloop.feedback.actions import do_log_activity
from revloop.lifecycle.actions import do_move_by_action
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.routing.actions import do_backfill_sla_history, do_route_people
from revloop.routing.models import ClockKind, SlaBreach, SlaClock
from revloop.routing.queries import sla_compliance
from revloop.routing.sweep import sweep_sla_clocks
from revloop.users.models import User

from .conftest import BERLIN_MORNING

Capture = Callable[..., Any]
HOUR = timedelta(hours=1)
#: The default contract promises a first touch within 4 business hours.
AFTER_THE_DEADLINE = BERLIN_MORNING + 5 * HOUR


@pytest.fixture
def routed(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> Iterator[tuple[Person, User, time_machine.Coordinates]]:
    """An EMEA lead routed at 11:00 Berlin on a Tuesday, time frozen there."""
    with time_machine.travel(BERLIN_MORNING, tick=False) as clock:
        lead = make_mql(region="EMEA")
        do_route_people([lead.pk])
        lead.refresh_from_db()
        assert lead.owner is not None
        yield lead, lead.owner, clock


def _first_touch(lead: Person, rep: User) -> SlaClock:
    return SlaClock.objects.get(person=lead, rep=rep, kind=ClockKind.FIRST_TOUCH)


def _accept(lead: Person, rep: User, capture: Capture) -> None:
    with capture(execute=True):
        do_move_by_action(lead, "accept", by=rep)


def _synced(lead: Person, event_id: str, kind: str, channel: str, at: datetime) -> None:
    event = {"event_id": event_id, "timestamp": at.isoformat(), "type": kind, "email": lead.email}
    result = do_ingest_events([{**event, "channel": channel} if channel else event])
    assert result.counts == {"stored": 1}


def test_a_rep_who_accepts_and_never_calls_breaches_the_first_touch_promise(
    routed: tuple[Person, User, time_machine.Coordinates],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    lead, rep, clock = routed
    clock.shift(HOUR)
    _accept(lead, rep, django_capture_on_commit_callbacks)
    clock.move_to(AFTER_THE_DEADLINE)

    swept = sweep_sla_clocks()

    assert swept["breached_by_kind"] == {"first_touch": 1}
    breach = SlaBreach.objects.get(person=lead)
    assert (breach.kind, breach.rep) == ("first_touch", rep)
    decided = SlaClock.objects.get(person=lead, rep=rep, kind=ClockKind.ACCEPT_OR_REJECT)
    assert (decided.stop_reason, decided.met) == ("accepted", True)


def test_a_call_after_accepting_keeps_the_first_touch_promise(
    routed: tuple[Person, User, time_machine.Coordinates],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    lead, rep, clock = routed
    clock.shift(HOUR)
    _accept(lead, rep, django_capture_on_commit_callbacks)
    clock.shift(2 * HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        do_log_activity(rep, lead.pk, "call")
    clock.move_to(AFTER_THE_DEADLINE)

    assert sweep_sla_clocks()["breached"] == 0
    touch = _first_touch(lead, rep)
    assert (touch.stop_reason, touch.stopped_at) == ("touched_call", BERLIN_MORNING + 3 * HOUR)
    assert touch.met


@pytest.mark.parametrize(
    ("kind", "channel", "reason"),
    [
        ("call", "sales_outreach", "touched_call"),
        ("meeting", "", "touched_meeting"),
        ("email_open", "sales_outreach", "touched_email"),
    ],
)
def test_a_synced_call_meeting_or_sales_email_keeps_the_first_touch_promise(
    kind: str,
    channel: str,
    reason: str,
    routed: tuple[Person, User, time_machine.Coordinates],
) -> None:
    """Synced through the events API (a dialler, a CRM): the sweep credits it before it
    looks for passed deadlines, at the moment the attempt happened."""
    lead, rep, clock = routed
    clock.shift(3 * HOUR)
    _synced(lead, "sync-1", kind, channel, BERLIN_MORNING + 2 * HOUR)
    clock.move_to(AFTER_THE_DEADLINE)

    swept = sweep_sla_clocks()

    assert (swept["touched_by_synced_attempts"], swept["breached"]) == (1, 0)
    touch = _first_touch(lead, rep)
    assert (touch.stop_reason, touch.stopped_at) == (reason, BERLIN_MORNING + 2 * HOUR)
    assert touch.met


def test_a_marketing_email_click_does_not_stop_the_first_touch_clock(
    routed: tuple[Person, User, time_machine.Coordinates],
) -> None:
    lead, rep, clock = routed
    clock.shift(2 * HOUR)
    _synced(lead, "newsletter-click", "email_click", "email", BERLIN_MORNING + HOUR)
    clock.move_to(AFTER_THE_DEADLINE)

    swept = sweep_sla_clocks()

    assert swept["touched_by_synced_attempts"] == 0
    assert swept["breached_by_kind"] == {"first_touch": 1}
    assert _first_touch(lead, rep).breached_at is not None


def test_a_synced_call_from_before_the_assignment_is_not_its_first_touch(
    routed: tuple[Person, User, time_machine.Coordinates],
) -> None:
    lead, rep, clock = routed
    _synced(lead, "old-call", "call", "", BERLIN_MORNING - 24 * HOUR)
    clock.move_to(AFTER_THE_DEADLINE)

    assert sweep_sla_clocks()["touched_by_synced_attempts"] == 0
    assert _first_touch(lead, rep).breached_at is not None


@pytest.fixture
def called_and_ignored(
    team: dict[str, User],
    make_mql: Callable[..., Person],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """Two of lena's leads: one called two hours after it was assigned, one accepted
    after ten minutes and never called; swept after the deadline."""
    with time_machine.travel(BERLIN_MORNING, tick=False) as clock:
        rep = team["lena"]
        called, ignored = make_mql(owner=rep), make_mql(owner=rep)
        for lead in (called, ignored):
            StageTransition.objects.create(
                person=lead, from_stage="lead", to_stage="mql", at=BERLIN_MORNING
            )
        do_route_people([called.pk, ignored.pk])
        clock.shift(10 * 60)
        _accept(ignored, rep, django_capture_on_commit_callbacks)
        clock.move_to(BERLIN_MORNING + 2 * HOUR)
        with django_capture_on_commit_callbacks(execute=True):
            do_log_activity(rep, called.pk, "call")
        clock.move_to(AFTER_THE_DEADLINE)
        sweep_sla_clocks()


@pytest.mark.usefixtures("called_and_ignored")
def test_speed_to_lead_and_compliance_count_from_the_first_real_attempt() -> None:
    """Accepting the second lead counts for nothing on the touch side."""
    sales = sla_compliance(BERLIN_MORNING.date()).sales

    # The missed lead went to another rep, whose own first-touch promise is pending.
    speed = sales.speed_to_lead
    assert (speed.leads, speed.reached, speed.missed, speed.pending) == (3, 1, 1, 1)
    assert speed.median_hours == 2.0
    assert speed.in_time == Rate(1, 2)
    assert sales.median_first_touch_hours == 2.0
    lena = next(r for r in sales.by_rep if r.name == "lena")
    assert (lena.team, lena.speed_to_lead.leads, lena.speed_to_lead.in_time) == (
        "emea",
        2,
        Rate(1, 2),
    )
    teams = {t.name: t.speed_to_lead for t in sales.by_team}
    assert teams["emea"].in_time == Rate(1, 2)
    assert sum(t.leads for t in teams.values()) == speed.leads


@pytest.mark.usefixtures("called_and_ignored")
def test_the_api_states_speed_to_lead_with_numerator_and_denominator(
    viewer: User, token_client: Callable[..., Client]
) -> None:
    response = token_client(viewer).get("/api/v1/sla/compliance", {"week": "2026-03-03"})

    assert response.status_code == 200
    speed = response.json()["sales"]["speed_to_lead"]
    assert speed["in_time"] == {"numerator": 1, "denominator": 2, "value": 0.5}
    assert (speed["reached"], speed["median_hours"]) == (1, 2.0)
    lena = next(r for r in response.json()["sales"]["by_rep"] if r["name"] == "lena")
    assert lena["speed_to_lead"]["in_time"] == {"numerator": 1, "denominator": 2, "value": 0.5}


def test_the_live_clocks_and_the_replayed_history_agree(
    team: dict[str, User],
    make_mql: Callable[..., Person],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """The same events (accepted after an hour, called after three) give the same
    clocks whether they happen live or are replayed from the history."""
    rep = team["lena"]
    live, replayed = make_mql(owner=rep), make_mql(owner=rep)
    for lead in (live, replayed):
        StageTransition.objects.create(
            person=lead, from_stage="lead", to_stage="mql", at=BERLIN_MORNING
        )
    with time_machine.travel(BERLIN_MORNING, tick=False) as clock:
        do_route_people([live.pk])
        clock.shift(HOUR)
        _accept(live, rep, django_capture_on_commit_callbacks)
        clock.shift(2 * HOUR)
        with django_capture_on_commit_callbacks(execute=True):
            do_log_activity(rep, live.pk, "call")
        clock.move_to(BERLIN_MORNING + 24 * HOUR)
        sweep_sla_clocks()
    StageTransition.objects.create(
        person=replayed,
        from_stage="mql",
        to_stage="sal",
        at=BERLIN_MORNING + HOUR,
        by_user=rep,
    )
    _synced(replayed, "history-call", "call", "", BERLIN_MORNING + 3 * HOUR)

    do_backfill_sla_history(BERLIN_MORNING + 24 * HOUR, since=BERLIN_MORNING - 24 * HOUR)

    def outcome(lead: Person) -> set[tuple[str, timedelta | None, str, bool, int]]:
        return {
            (
                c.kind,
                c.stopped_at - BERLIN_MORNING if c.stopped_at else None,
                c.stop_reason,
                c.breached_at is not None,
                c.attempts_done,
            )
            for c in SlaClock.objects.filter(person=lead)
        }

    expected = {
        ("first_touch", 3 * HOUR, "touched_call", False, 0),
        ("accept_or_reject", HOUR, "accepted", False, 0),
        ("attempts", None, "", False, 1),
    }
    assert outcome(live) == outcome(replayed) == expected
    # The sweep after the replay does not count the replayed call a second time.
    sweep_sla_clocks(BERLIN_MORNING + 24 * HOUR)
    assert outcome(replayed) == expected


def test_synced_attempts_are_counted_once_and_with_logged_ones(
    routed: tuple[Person, User, time_machine.Coordinates],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """Attempts: one call logged in revloop and two synced from a dialler make the
    contract's three; a sweep that runs again counts nothing twice."""
    lead, rep, clock = routed
    clock.shift(HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        do_log_activity(rep, lead.pk, "call")
    _synced(lead, "dial-1", "call", "", BERLIN_MORNING + 2 * HOUR)
    clock.shift(2 * HOUR)
    sweep_sla_clocks()
    sweep_sla_clocks()
    attempts = SlaClock.objects.get(person=lead, kind=ClockKind.ATTEMPTS)
    assert (attempts.attempts_done, attempts.stopped_at) == (2, None)

    _synced(lead, "dial-2", "meeting", "", BERLIN_MORNING + 3 * HOUR)
    sweep_sla_clocks()

    attempts.refresh_from_db()
    assert (attempts.attempts_done, attempts.stop_reason, attempts.stopped_at) == (
        3,
        "attempts_made",
        BERLIN_MORNING + 3 * HOUR,
    )
    # The logged call came first and is the first touch.
    assert _first_touch(lead, rep).stop_reason == "touched_call"
