"""Merging two routed duplicates leaves one open assignment, the owner's, with history kept."""

from __future__ import annotations

from collections.abc import Callable

from revloop.people.actions import do_merge_people
from revloop.people.models import Person
from revloop.routing.actions import do_route_people
from revloop.routing.models import Assignment, SlaClock
from revloop.users.models import User

from .conftest import BERLIN_MORNING


def test_a_merge_keeps_the_survivor_owners_assignment_and_ends_the_other(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    survivor = make_mql(region="EMEA", country="DE")
    duplicate = make_mql(region="EMEA", country="DE")
    do_route_people(None, BERLIN_MORNING)
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert survivor.owner_id != duplicate.owner_id  # round robin gave them to two reps

    do_merge_people(survivor.pk, [duplicate.pk], by=None)

    survivor.refresh_from_db()
    assignments = Assignment.objects.filter(person=survivor)
    assert assignments.count() == 2  # both kept as history
    open_ones = assignments.filter(ended_at__isnull=True)
    assert [a.rep_id for a in open_ones] == [survivor.owner_id]
    ended = assignments.get(ended_at__isnull=False)
    assert (ended.rep_id, ended.ended_reason) == (duplicate.owner_id, "merged")
    running = SlaClock.objects.filter(person=survivor, stopped_at__isnull=True)
    assert {c.assignment_id for c in running} == {open_ones.get().pk}
    assert set(SlaClock.objects.filter(assignment=ended).values_list("stop_reason", flat=True)) == {
        "merged"
    }


def test_a_merge_into_an_unrouted_survivor_keeps_the_duplicates_assignment(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    duplicate = make_mql(region="EMEA", country="DE")
    do_route_people(None, BERLIN_MORNING)
    survivor = make_mql(region="EMEA", country="DE", stage="lead")
    duplicate.refresh_from_db()

    do_merge_people(survivor.pk, [duplicate.pk], by=None)

    survivor.refresh_from_db()
    kept = Assignment.objects.get(person=survivor)
    assert kept.ended_at is None
    assert kept.rep_id == survivor.owner_id == duplicate.owner_id
    assert SlaClock.objects.filter(person=survivor, stopped_at__isnull=True).count() == 3
