"""Stage moves and sales activity drive routing: a new MQL is routed; accepting stops the
accept-or-reject clock alone, a call, e-mail or meeting stops the first-touch clock,
rejecting stops them all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from revloop.core.signals import PersonMove, people_moved
from revloop.feedback.actions import do_log_activity
from revloop.lifecycle.actions import do_move_by_action, do_move_person
from revloop.people.models import Person
from revloop.routing.actions import do_route_people
from revloop.routing.models import Assignment, ClockKind, SlaClock
from revloop.users.models import User
from revloop.webhooks.models import WebhookDelivery, WebhookEndpoint
from revloop.worker.registry import get_job

from .conftest import BERLIN_MORNING, EMEA

Capture = Callable[..., Any]


def _routed(make_mql: Callable[..., Person]) -> tuple[Person, User]:
    lead = make_mql(region="EMEA")
    do_route_people([lead.pk], BERLIN_MORNING)
    lead.refresh_from_db()
    assert lead.owner is not None
    return lead, lead.owner


@time_machine.travel(BERLIN_MORNING, tick=False)
def test_a_lead_promoted_to_mql_is_routed_once_the_move_commits(
    team: dict[str, User],
    marketer: User,
    make_mql: Callable[..., Person],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    lead = make_mql(region="EMEA", stage="lead")

    with django_capture_on_commit_callbacks(execute=True):
        do_move_person(lead, "mql", by=marketer)

    assignment = Assignment.objects.get(person=lead)
    assert assignment.rep.username in EMEA
    assert SlaClock.objects.filter(person=lead).count() == 3


def test_accepting_stops_the_accept_or_reject_clock_alone_not_the_first_touch(
    team: dict[str, User],
    make_mql: Callable[..., Person],
    hooks: WebhookEndpoint,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """Accepting is a decision, not a contact attempt: first touch and attempts run on."""
    lead, rep = _routed(make_mql)

    with django_capture_on_commit_callbacks(execute=True):
        do_move_by_action(lead, "accept", by=rep)

    stopped = SlaClock.objects.filter(person=lead, stopped_at__isnull=False)
    assert set(stopped.values_list("kind", "stop_reason")) == {
        (ClockKind.ACCEPT_OR_REJECT.value, "accepted"),
    }
    assert SlaClock.objects.get(person=lead, kind=ClockKind.FIRST_TOUCH).stopped_at is None
    assert SlaClock.objects.get(person=lead, kind=ClockKind.ATTEMPTS).stopped_at is None
    assert WebhookDelivery.objects.filter(event="lead.accepted").count() == 1
    assert Assignment.objects.get(person=lead).ended_at is None


def test_rejecting_stops_every_clock_and_releases_the_lead(
    team: dict[str, User],
    make_mql: Callable[..., Person],
    hooks: WebhookEndpoint,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    lead, rep = _routed(make_mql)

    with django_capture_on_commit_callbacks(execute=True):
        do_move_by_action(lead, "reject", by=rep, reason_code="wrong_target")

    assert not SlaClock.objects.filter(person=lead, stopped_at__isnull=True).exists()
    assert set(SlaClock.objects.filter(person=lead).values_list("stop_reason", flat=True)) == {
        "rejected"
    }
    assert Assignment.objects.get(person=lead).ended_reason == "rejected"
    delivery = WebhookDelivery.objects.get(event="lead.rejected")
    assert delivery.payload["data"]["reason_code"] == "wrong_target"
    assert delivery.payload["data"]["by"] == rep.username


@time_machine.travel(BERLIN_MORNING, tick=False)
def test_a_rejected_lead_promoted_again_is_routed_afresh(
    team: dict[str, User],
    marketer: User,
    make_mql: Callable[..., Person],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    lead, rep = _routed(make_mql)
    with django_capture_on_commit_callbacks(execute=True):
        do_move_by_action(lead, "reject", by=rep, reason_code="not_now")
        do_move_person(lead, "mql", by=marketer)

    assignments = Assignment.objects.filter(person=lead).order_by("id")
    assert assignments.count() == 2
    assert assignments[0].ended_reason == "rejected"
    assert assignments[1].ended_at is None
    assert assignments[1].rule_id == "emea"


def test_a_big_batch_of_new_mqls_is_left_to_the_routing_job(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    """A rescore promoting sixty people at once does not route them in its own
    process; the worker's 30-second job does."""
    leads = [make_mql(region="EMEA") for _ in range(60)]
    people_moved.send(
        sender=None,
        moves=[PersonMove(lead.pk, "lead", "mql", BERLIN_MORNING, rule="mql") for lead in leads],
    )
    assert not Assignment.objects.exists()

    job = get_job("routing.route_unassigned")
    assert job is not None
    summary = job.function(BERLIN_MORNING)

    assert summary is not None
    assert summary["assigned"] == 60
    assert job.function(BERLIN_MORNING) is None


@pytest.mark.parametrize("kind", ["call", "email", "meeting"])
def test_a_call_email_or_meeting_logged_by_the_rep_is_the_first_touch(
    kind: str,
    team: dict[str, User],
    make_mql: Callable[..., Person],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    lead, rep = _routed(make_mql)
    with (
        time_machine.travel(BERLIN_MORNING + timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        do_log_activity(rep, lead.pk, kind)

    touch = SlaClock.objects.get(person=lead, kind=ClockKind.FIRST_TOUCH)
    assert touch.stop_reason == f"touched_{kind}"
    assert touch.stopped_at == BERLIN_MORNING + timedelta(hours=1)
    assert SlaClock.objects.get(person=lead, kind=ClockKind.ATTEMPTS).attempts_done == 1
    assert SlaClock.objects.get(person=lead, kind=ClockKind.ACCEPT_OR_REJECT).stopped_at is None
