"""Properties of the rotation over random teams, states and leads."""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revloop.engine.contract.schema import Routing, RoutingRule, Team, TeamMember
from revloop.engine.routing import SKIP_REASONS, Absence, LeadFacts, RepState, Router
from revloop.engine.sla import BusinessCalendar

PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = dt.datetime(2026, 6, 2, 14, tzinfo=dt.UTC)
CALENDARS = (
    BusinessCalendar("America/New_York"),
    BusinessCalendar("Europe/Berlin"),
    BusinessCalendar("Asia/Tokyo"),
)
AWAY = (Absence(dt.date(2026, 6, 1), dt.date(2026, 6, 3)),)


@st.composite
def teams(draw: st.DrawFn) -> tuple[tuple[TeamMember, ...], dict[str, RepState]]:
    names = draw(
        st.lists(st.from_regex(r"[a-z]{2,6}", fullmatch=True), min_size=1, max_size=8, unique=True)
    )
    members = tuple(
        TeamMember(
            name,
            draw(st.sampled_from([0.5, 1.0, 2.0, 3.0])),
            draw(st.none() | st.integers(1, 30)),
        )
        for name in names
    )
    states = {
        name: RepState(
            name,
            draw(st.sampled_from(CALENDARS)),
            open_leads=draw(st.integers(0, 10)),
            assigned=float(draw(st.integers(0, 5))),
            active=draw(st.booleans() | st.just(True)),
            absences=AWAY if draw(st.integers(0, 4)) == 0 else (),
        )
        for name in names
    }
    return members, states


def routing_of(members: tuple[TeamMember, ...]) -> Routing:
    return Routing((RoutingRule("all", "All", team="t"),), (Team("t", members),))


@PROPERTY
@given(teams(), st.integers(1, 60))
def test_decisions_are_consistent_with_the_states(
    team: tuple[tuple[TeamMember, ...], dict[str, RepState]], count: int
) -> None:
    """The chosen rep is a member who is active, not away and not over capacity, and is
    never also listed as skipped; every skip has a known reason; loads grow by exactly
    the leads given."""
    members, states = team
    before = {name: state.open_leads for name, state in states.items()}
    router = Router(routing_of(members), copy.deepcopy(states))
    decisions = router.route_many([LeadFacts(i) for i in range(count)], NOW)
    capacity = {m.user: m.capacity for m in members}
    given_to = Counter(d.username for d in decisions if d.username is not None)
    for decision in decisions:
        assert all(skip.reason in SKIP_REASONS for skip in decision.skipped)
        if decision.username is None:
            continue
        assert decision.username not in {skip.username for skip in decision.skipped}
        state = states[decision.username]
        assert state.active
        assert not state.absences
    for name, state in router.reps.items():
        assert state.open_leads == before[name] + given_to[name]
        cap = capacity[name]
        if given_to[name]:
            assert cap is None or state.open_leads <= cap


@PROPERTY
@given(teams(), st.integers(1, 40), st.randoms(use_true_random=False))
def test_who_gets_what_ignores_the_order_members_are_listed_in(
    team: tuple[tuple[TeamMember, ...], dict[str, RepState]], count: int, shuffler: random.Random
) -> None:
    """The same team listed in any order routes every lead to the same rep."""
    members, states = team
    shuffled = list(members)
    shuffler.shuffle(shuffled)
    leads = [LeadFacts(i) for i in range(count)]
    first = Router(routing_of(members), copy.deepcopy(states)).route_many(leads, NOW)
    second = Router(routing_of(tuple(shuffled)), copy.deepcopy(states)).route_many(leads, NOW)
    assert [d.username for d in first] == [d.username for d in second]


@PROPERTY
@given(st.lists(st.sampled_from([1.0, 2.0, 3.0]), min_size=2, max_size=7), st.integers(1, 400))
def test_every_rep_stays_close_to_their_weighted_share(weights: list[float], count: int) -> None:
    """With everyone available, no rep is ever more than two leads from their exact
    weighted share, however many leads have been routed."""
    members = tuple(TeamMember(f"rep{i}", w) for i, w in enumerate(weights))
    states = {m.user: RepState(m.user) for m in members}
    router = Router(routing_of(members), states)
    counts: Counter[str] = Counter()
    total = sum(weights)
    for i in range(count):
        decision = router.route(LeadFacts(i), NOW)
        assert decision.username is not None
        counts[decision.username] += 1
        for member in members:
            assert abs(counts[member.user] - (i + 1) * member.weight / total) < 2
