"""The SLA sweep with time frozen: reminders, breaches, escalation, re-assignment, catch-up."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from revloop.contracts.versions import active_contract
from revloop.core.signals import sales_activity_logged
from revloop.people.models import Person
from revloop.routing.actions import do_route_people
from revloop.routing.models import Assignment, ClockKind, SlaBreach, SlaClock
from revloop.routing.sweep import sweep_sla_clocks
from revloop.users.models import User
from revloop.webhooks.models import WebhookDelivery, WebhookEndpoint
from revloop.worker.registry import get_job

from .conftest import BERLIN_MORNING, EMEA


@pytest.fixture
def routed(
    team: dict[str, User], make_mql: Callable[..., Person], hooks: WebhookEndpoint
) -> Iterator[tuple[Person, time_machine.Coordinates]]:
    """An EMEA lead routed at 11:00 Berlin on a Tuesday, with the clock frozen there."""
    with time_machine.travel(BERLIN_MORNING, tick=False) as clock:
        lead = make_mql(region="EMEA")
        do_route_people([lead.pk])
        yield lead, clock


def _sent(event: str) -> int:
    return WebhookDelivery.objects.filter(event=event).count()


def test_the_sweep_runs_often_enough_to_catch_a_deadline_within_a_minute() -> None:
    job = get_job("routing.sweep_sla_clocks")
    assert job is not None
    assert job.every <= timedelta(seconds=30)


def test_a_reminder_goes_out_once_before_the_deadline(
    routed: tuple[Person, time_machine.Coordinates],
) -> None:
    lead, clock = routed
    clock.shift(timedelta(hours=2, minutes=59))
    assert sweep_sla_clocks()["reminded"] == 0

    clock.shift(timedelta(minutes=2))
    assert sweep_sla_clocks()["reminded"] == 1
    assert sweep_sla_clocks()["reminded"] == 0

    reminded = SlaClock.objects.get(person=lead, reminded_at__isnull=False)
    assert reminded.kind == ClockKind.FIRST_TOUCH
    assert _sent("sla.warning") == 1


def test_a_missed_first_touch_is_a_breach_escalated_and_reassigned(
    routed: tuple[Person, time_machine.Coordinates], team: dict[str, User]
) -> None:
    lead, clock = routed
    first = Assignment.objects.get(person=lead)
    clock.shift(timedelta(hours=4, seconds=30))

    summary = sweep_sla_clocks()

    assert summary["breached"] == 1
    assert summary["reassigned"] == 1
    breach = SlaBreach.objects.get()
    assert breach.kind == ClockKind.FIRST_TOUCH
    assert breach.rep == first.rep
    assert breach.escalated_to == team["erik"]
    assert breach.detected_at - breach.due_at <= timedelta(seconds=60)
    first.refresh_from_db()
    assert first.ended_reason == "sla_breach:first_touch"
    second = Assignment.objects.get(person=lead, ended_at__isnull=True)
    assert second.rep != first.rep
    assert second.rep.username in EMEA
    assert breach.reassigned_to == second.rep
    lead.refresh_from_db()
    assert lead.owner == second.rep
    assert SlaClock.objects.filter(assignment=second, stopped_at__isnull=True).count() == 3
    assert _sent("sla.breached") == 1
    assert _sent("lead.assigned") == 2


def test_a_restarted_worker_catches_up_without_sending_twice(
    routed: tuple[Person, time_machine.Coordinates],
) -> None:
    """Down from the reminder until Friday: one pass records both passed deadlines
    (no late reminder for them), and later passes repeat nothing."""
    lead, clock = routed
    clock.shift(timedelta(hours=3, minutes=1))
    sweep_sla_clocks()
    clock.shift(timedelta(days=3))

    caught_up = sweep_sla_clocks()
    again = sweep_sla_clocks()

    assert caught_up["breached"] == 2
    assert caught_up["breached_by_kind"] == {"first_touch": 1, "accept_or_reject": 1}
    assert caught_up["reminded"] == 0
    assert again == {
        "reminded": 0,
        "breached": 0,
        "breached_by_kind": {},
        "reassigned": 0,
        "touched_by_synced_attempts": 0,
    }
    assert SlaBreach.objects.filter(person=lead).count() == 2
    assert _sent("sla.warning") == 1
    assert _sent("sla.breached") == 2


def test_a_touch_in_time_keeps_the_first_touch_promise(
    routed: tuple[Person, time_machine.Coordinates],
) -> None:
    lead, clock = routed
    clock.shift(timedelta(hours=1))
    rep = Person.objects.get(pk=lead.pk).owner
    assert rep is not None
    sales_activity_logged.send(
        sender=None, person_id=lead.pk, user_id=rep.pk, kind="call", at=BERLIN_MORNING
    )
    clock.shift(timedelta(hours=4))

    assert sweep_sla_clocks()["breached"] == 0
    touch = SlaClock.objects.get(person=lead, kind=ClockKind.FIRST_TOUCH)
    assert touch.stop_reason == "touched_call"
    assert touch.met
    attempts = SlaClock.objects.get(person=lead, kind=ClockKind.ATTEMPTS)
    assert attempts.attempts_done == 1
    assert attempts.stopped_at is None


def test_three_attempts_keep_the_attempts_promise(
    routed: tuple[Person, time_machine.Coordinates],
) -> None:
    lead, _ = routed
    owner = Person.objects.get(pk=lead.pk).owner
    assert owner is not None
    for kind in ("call", "email", "call"):
        sales_activity_logged.send(
            sender=None, person_id=lead.pk, user_id=owner.pk, kind=kind, at=BERLIN_MORNING
        )

    attempts = SlaClock.objects.get(person=lead, kind=ClockKind.ATTEMPTS)
    assert attempts.attempts_done == 3
    assert attempts.stop_reason == "attempts_made"


def test_without_a_lead_time_the_reminder_goes_at_the_configured_share(
    settings: Any, team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    """A contract without ``remind_before_business_hours`` reminds at
    REVLOOP_SLA_REMIND_PERCENT of the promised time: 50% of 4 business hours is 2."""
    settings.REVLOOP_SLA_REMIND_PERCENT = 50
    version, contract = active_contract()
    sales = replace(contract.sla.sales, remind_before_business_hours=None)
    without = replace(contract, sla=replace(contract.sla, sales=sales))
    lead = make_mql(region="EMEA")

    do_route_people([lead.pk], BERLIN_MORNING, contract=(version, without))

    touch = SlaClock.objects.get(person=lead, kind=ClockKind.FIRST_TOUCH)
    assert touch.remind_at == BERLIN_MORNING + timedelta(hours=2)


def test_a_backlog_falling_due_together_is_announced_in_one_message(
    team: dict[str, User], make_mql: Callable[..., Person], hooks: WebhookEndpoint
) -> None:
    """Sixty leads missing their first touch at once make one sla.breached message
    that counts them per rep and lists every clock, not sixty messages."""
    ids = [make_mql(region="EMEA").pk for _ in range(60)]
    do_route_people(ids, BERLIN_MORNING)

    summary = sweep_sla_clocks(BERLIN_MORNING + timedelta(hours=4, seconds=30))

    assert summary["breached"] == 60
    (delivery,) = WebhookDelivery.objects.filter(event="sla.breached")
    data = delivery.payload["data"]
    assert data["count"] == 60
    assert sum(data["by_rep"].values()) == 60
    assert data["escalated_to"] == {"erik": 60}
    assert len({clock["clock_id"] for clock in data["clocks"]}) == 60


def test_the_worker_sweeps_at_a_deadline_between_two_slots(
    routed: tuple[Person, time_machine.Coordinates],
) -> None:
    """A deadline that falls between the sweep's 30-second slots wakes the worker: the
    breach is recorded at the look after the deadline, not at the next slot."""
    from revloop.worker.loop import Worker
    from revloop.worker.models import JobRun, JobSchedule

    lead, clock = routed
    due = SlaClock.objects.get(person=lead, kind=ClockKind.FIRST_TOUCH).due_at
    worker = Worker(queues=("default",))
    clock.shift(timedelta(seconds=7))
    worker.run_once()  # the sweep's grid now runs at 7 s past every half minute
    clock.move_to(due - timedelta(seconds=23))
    looked = worker._tick()
    assert "routing.sweep_sla_clocks" in [c.job for c in looked.claimed]
    assert looked.wake_at == due, "the next look is at the deadline, before the next slot"
    worker.run_once()

    clock.move_to(due + timedelta(seconds=1))
    slot = JobSchedule.objects.get(name="routing.sweep_sla_clocks").next_run_at
    assert slot == due + timedelta(seconds=7)
    claimed = worker.run_once().claimed

    assert [c.job for c in claimed] == ["routing.sweep_sla_clocks"], "woken, off its grid"
    breach = SlaBreach.objects.get(person=lead)
    assert breach.detected_at == due + timedelta(seconds=1)
    assert JobRun.objects.filter(slot=due + timedelta(seconds=1)).exists()
    # The grid restarts at the early run, and nothing is claimed twice for it.
    assert JobSchedule.objects.get(name="routing.sweep_sla_clocks").next_run_at == (
        due + timedelta(seconds=31)
    )
    assert worker.run_once().claimed == []


def test_the_next_sla_moment_is_the_first_open_deadline_or_reminder_after_a_time(
    routed: tuple[Person, time_machine.Coordinates],
) -> None:
    from revloop.routing.sweep import next_sla_moment

    lead, _ = routed
    first = SlaClock.objects.get(person=lead, kind=ClockKind.FIRST_TOUCH)
    assert first.remind_at is not None
    assert next_sla_moment(first.started_at) == first.remind_at
    assert next_sla_moment(first.remind_at) == min(
        SlaClock.objects.filter(person=lead, due_at__gt=first.remind_at).values_list(
            "due_at", flat=True
        )
    )
    SlaClock.objects.filter(person=lead).update(stopped_at=first.started_at)
    assert next_sla_moment(first.started_at) is None, "stopped clocks wake nobody"
