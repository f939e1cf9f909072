"""Routing persists who got each MQL, by which rule, and who was skipped and why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from revloop.core.errors import ForbiddenError
from revloop.people.models import Person
from revloop.routing.actions import do_mark_away, do_reassign, do_route_people
from revloop.routing.models import Assignment, ClockKind, SlaClock
from revloop.users.models import User
from revloop.webhooks.models import WebhookDelivery, WebhookEndpoint

from .conftest import BERLIN_MORNING, BOTH_WORKING, EMEA, NORTH_AMERICA


def test_an_emea_lead_goes_to_the_berlin_team_with_its_rule_recorded(
    team: dict[str, User], make_mql: Callable[..., Person], hooks: WebhookEndpoint
) -> None:
    """The assignment names the rule and team; the owner is set; three clocks start."""
    lead = make_mql(region="EMEA", country="DE")

    summary = do_route_people(None, BERLIN_MORNING)

    assert summary["assigned"] == 1
    assignment = Assignment.objects.get(person=lead)
    assert assignment.rep.username in EMEA
    assert assignment.rule_id == "emea"
    assert assignment.team == "emea"
    assert assignment.contract_version is not None
    # The account-owner rule came first and found no owner: nobody to skip there.
    assert all(skip["reason"] for skip in assignment.skipped)
    lead.refresh_from_db()
    assert lead.owner == assignment.rep
    clocks = {c.kind: c for c in SlaClock.objects.filter(person=lead)}
    assert set(clocks) == {k.value for k in ClockKind}
    # 11:00 Berlin plus 4 business hours is 15:00 Berlin (14:00 UTC), the same day.
    assert clocks["first_touch"].due_at == BERLIN_MORNING + timedelta(hours=4)
    assert clocks["first_touch"].remind_at == BERLIN_MORNING + timedelta(hours=3)
    assert clocks["attempts"].attempts_needed == 3
    # 16 business hours from 11:00 Tuesday: 6 on Tuesday, 8 on Wednesday, 2 on Thursday.
    assert clocks["accept_or_reject"].due_at == BERLIN_MORNING + timedelta(days=2)
    assert WebhookDelivery.objects.filter(event="lead.assigned").count() == 1


def test_the_north_american_team_is_skipped_outside_its_hours(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    """At 06:00 in New York the NA members are skipped as outside hours only when
    another member is working; with none working the best of them still gets it."""
    lead = make_mql(region="NA", country="US")

    do_route_people(None, BERLIN_MORNING)

    assignment = Assignment.objects.get(person=lead)
    assert assignment.rep.username in NORTH_AMERICA
    assert assignment.rule_id == "everyone_else"
    # Routed before opening: the first-touch clock starts at 09:00 New York.
    first_touch = SlaClock.objects.get(person=lead, kind=ClockKind.FIRST_TOUCH)
    assert first_touch.due_at == BOTH_WORKING - timedelta(hours=1) + timedelta(hours=4)


def test_the_account_owner_keeps_the_relationship(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    lead = make_mql(region="EMEA", account_owner=team["tom"])

    do_route_people(None, BOTH_WORKING)

    assignment = Assignment.objects.get(person=lead)
    assert assignment.rep == team["tom"]
    assert assignment.rule_id == "account_owner"


def test_an_away_rep_is_skipped_with_the_reason(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    day = BERLIN_MORNING.date()
    for name in ("lena", "jonas"):
        do_mark_away(team[name], starts=day, ends=day, by=team["erik"])
    leads = [make_mql(region="EMEA") for _ in range(3)]

    do_route_people(None, BERLIN_MORNING)

    for lead in leads:
        assignment = Assignment.objects.get(person=lead)
        assert assignment.rep.username == "sofia"
        reasons = {skip["username"]: skip["reason"] for skip in assignment.skipped}
        assert reasons["lena"] == "absent"
        assert reasons["jonas"] == "absent"


def test_capacity_is_never_exceeded(
    team: dict[str, User],
    make_mql: Callable[..., Person],
    small_capacity: Callable[[int], tuple[object, object]],
) -> None:
    """With room for one lead each, the full EMEA team's leads fall through to the
    catch-all rule; once every rep is full, the rest wait for room."""
    for _ in range(8):
        make_mql(region="EMEA")

    summary = do_route_people(None, BERLIN_MORNING, contract=small_capacity(1))  # type: ignore[arg-type]

    assert summary["assigned"] == 6
    assert summary["unassigned"] == 2
    assert summary["by_rule"] == {"emea": 3, "everyone_else": 3}
    assert summary["unassigned_examples"]
    per_rep = {name: Person.objects.filter(owner=team[name]).count() for name in team}
    assert per_rep == dict.fromkeys(EMEA + NORTH_AMERICA, 1) | {"nina": 0, "erik": 0}
    assert Person.objects.filter(stage="mql", owner__isnull=True).count() == 2


def test_routing_again_assigns_nobody_twice(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    for _ in range(4):
        make_mql(region="EMEA")
    do_route_people(None, BERLIN_MORNING)

    again = do_route_people(None, BERLIN_MORNING + timedelta(minutes=1))

    assert again["considered"] == 0
    assert Assignment.objects.count() == 4
    assert SlaClock.objects.count() == 12


def test_an_owner_from_an_import_keeps_the_lead(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    lead = make_mql(region="EMEA", owner=team["devon"])

    do_route_people(None, BERLIN_MORNING)

    assignment = Assignment.objects.get(person=lead)
    assert assignment.rep == team["devon"]
    assert assignment.rule_id == "existing_owner"


def test_a_manager_reassigns_and_the_history_is_kept(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    lead = make_mql(region="EMEA")
    do_route_people(None, BERLIN_MORNING)
    first = Assignment.objects.get(person=lead)
    later = BERLIN_MORNING + timedelta(hours=1)

    # Another rep of erik's team: a manager hands leads on within it.
    to = next(team[n] for n in ("lena", "jonas", "sofia") if team[n].pk != first.rep_id)
    second = do_reassign(lead, to=to, by=team["erik"], now=later)

    assert second is not None
    assert second.rep == to
    assert second.rule_id == "manual"
    assert second.by_user == team["erik"]
    first.refresh_from_db()
    assert first.ended_at == later
    assert first.ended_reason == "manual"
    assert not SlaClock.objects.filter(assignment=first, stopped_at__isnull=True).exists()
    assert SlaClock.objects.filter(assignment=second, stopped_at__isnull=True).count() == 3
    lead.refresh_from_db()
    assert lead.owner == to


def test_a_rep_may_not_reassign(team: dict[str, User], make_mql: Callable[..., Person]) -> None:
    lead = make_mql(region="EMEA")
    do_route_people(None, BERLIN_MORNING)

    with pytest.raises(ForbiddenError):
        do_reassign(lead, to=team["lena"], by=team["jonas"])


def test_the_rules_pick_someone_else_when_no_rep_is_named(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    lead = make_mql(region="EMEA")
    do_route_people(None, BERLIN_MORNING)
    first = Assignment.objects.get(person=lead)

    second = do_reassign(lead, by=team["erik"], reason="rebalance", now=BERLIN_MORNING)

    assert second is not None
    assert second.rep != first.rep
    assert second.rep.username in EMEA
    assert second.skipped[0]["username"] == first.rep.username


@pytest.mark.parametrize("who", ["self", "manager"])
def test_a_rep_may_be_marked_away_by_themselves_or_a_manager(
    team: dict[str, User], who: str
) -> None:
    by = team["lena"] if who == "self" else team["erik"]
    absence = do_mark_away(team["lena"], starts=date(2026, 3, 2), ends=date(2026, 3, 6), by=by)
    assert absence.user == team["lena"]


def test_a_rep_may_not_mark_another_rep_away(team: dict[str, User]) -> None:
    with pytest.raises(ForbiddenError):
        do_mark_away(team["lena"], starts=date(2026, 3, 2), ends=date(2026, 3, 6), by=team["jonas"])


def test_an_outsider_may_not_mark_anyone_away(team: dict[str, User], outsider: User) -> None:
    with pytest.raises(ForbiddenError):
        do_mark_away(outsider, starts=date(2026, 3, 2), ends=date(2026, 3, 6), by=outsider)
