"""Weighted round robin within a team: capacity, absence, working hours, tie-breaks
and fairness."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from revloop.engine.contract.schema import Routing, RoutingRule, Team, TeamMember
from revloop.engine.routing import (
    ABSENT,
    AT_CAPACITY,
    INACTIVE,
    OUTSIDE_HOURS,
    Absence,
    LeadFacts,
    RepState,
    Router,
    Skip,
    max_relative_deviation,
    weighted_shares,
)
from revloop.engine.sla import BusinessCalendar

NOW = dt.datetime(2026, 6, 2, 14, tzinfo=dt.UTC)  # Tuesday: open in New York and Berlin
NY = BusinessCalendar("America/New_York")
DE = BusinessCalendar("Europe/Berlin")


def team_routing(*members: TeamMember) -> Routing:
    return Routing((RoutingRule("all", "Everyone", team="sales"),), (Team("sales", members),))


def rotate(
    members: tuple[TeamMember, ...], states: dict[str, RepState], count: int, first_id: int = 1
) -> tuple[Router, Counter[str | None]]:
    router = Router(team_routing(*members), states)
    leads = [LeadFacts(person_id) for person_id in range(first_id, first_id + count)]
    return router, Counter(d.username for d in router.route_many(leads, NOW))


def plain(*names: str, calendar: BusinessCalendar = NY) -> dict[str, RepState]:
    return {name: RepState(name, calendar) for name in names}


def test_equal_weights_share_leads_evenly_and_ties_do_not_favour_the_first_listed() -> None:
    """Three equal reps: 300 leads give exactly 100 each, and the first lead of each
    round (a three-way tie) goes to each rep about a third of the time."""
    members = tuple(TeamMember(name) for name in ("ann", "bob", "cy"))
    router = Router(team_routing(*members), plain("ann", "bob", "cy"))
    decisions = router.route_many([LeadFacts(i) for i in range(1, 301)], NOW)
    assert Counter(d.username for d in decisions) == {"ann": 100, "bob": 100, "cy": 100}
    round_openers = Counter(d.username for d in decisions[::3])
    assert set(round_openers) == {"ann", "bob", "cy"}
    assert max(round_openers.values()) <= 50
    assert "stable draw" in decisions[0].explanation


def test_without_memory_each_lead_is_a_fair_draw_not_the_senior_rep() -> None:
    """Even if every lead is routed by a fresh router (everyone at zero, as when
    nothing is counted), 30 leads do not all go to one rep."""
    members = tuple(TeamMember(name) for name in ("ann", "bob", "cy"))
    winners = Counter(
        Router(team_routing(*members), plain("ann", "bob", "cy")).route(LeadFacts(i), NOW).username
        for i in range(1, 31)
    )
    assert set(winners) == {"ann", "bob", "cy"}
    assert max(winners.values()) <= 16


def test_the_order_of_members_does_not_change_who_gets_what() -> None:
    """Listing the team in reverse gives every lead to the same rep."""
    members = tuple(TeamMember(name, weight=w) for name, w in (("ann", 1), ("bob", 2), ("cy", 1)))
    leads = [LeadFacts(i) for i in range(1, 101)]
    forward = Router(team_routing(*members), plain("ann", "bob", "cy")).route_many(leads, NOW)
    backward = Router(team_routing(*reversed(members)), plain("ann", "bob", "cy")).route_many(
        leads, NOW
    )
    assert [d.username for d in forward] == [d.username for d in backward]


def test_weights_set_the_shares_exactly_at_whole_rounds() -> None:
    """Weights 1, 2 and 3: 600 leads split 100 / 200 / 300."""
    members = (TeamMember("ann", 1), TeamMember("bob", 2), TeamMember("cy", 3))
    _, counts = rotate(members, plain("ann", "bob", "cy"), 600)
    assert counts == {"ann": 100, "bob": 200, "cy": 300}


def test_a_rep_at_capacity_is_skipped() -> None:
    """bob may hold 5 open leads and has 3: he gets 2 more, then is skipped."""
    members = (TeamMember("ann"), TeamMember("bob", capacity=5))
    states = plain("ann", "bob")
    states["bob"].open_leads = 3
    router, counts = rotate(members, states, 20)
    assert counts == {"ann": 18, "bob": 2}
    assert router.reps["bob"].open_leads == 5
    last = router.route(LeadFacts(99), NOW)
    assert last.username == "ann"
    assert last.skipped == (Skip("bob", AT_CAPACITY),)


def test_absent_and_inactive_reps_are_skipped() -> None:
    """ann is away this week and bob is deactivated: cy gets everything, and each
    decision says why the others were passed over."""
    members = (TeamMember("ann"), TeamMember("bob"), TeamMember("cy"))
    states = plain("ann", "bob", "cy")
    states["ann"].absences = (Absence(dt.date(2026, 6, 1), dt.date(2026, 6, 5)),)
    states["bob"].active = False
    router, counts = rotate(members, states, 10)
    assert counts == {"cy": 10}
    decision = router.route(LeadFacts(99), NOW)
    assert decision.skipped == (Skip("ann", ABSENT), Skip("bob", INACTIVE))


def test_absence_is_read_on_the_reps_local_date() -> None:
    """At 23:30 UTC on Monday it is already Tuesday in Berlin: a Berlin rep away from
    Tuesday is absent, a New York rep away from Tuesday is not yet."""
    monday_night = dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.UTC)
    away = (Absence(dt.date(2026, 6, 2), dt.date(2026, 6, 2)),)
    members = (TeamMember("lena"), TeamMember("rachel"))
    states = {
        "lena": RepState("lena", DE, absences=away),
        "rachel": RepState("rachel", NY, absences=away),
    }
    decision = Router(team_routing(*members), states).route(LeadFacts(1), monday_night)
    assert decision.username == "rachel"
    assert Skip("lena", ABSENT) in decision.skipped


def test_reps_at_work_come_before_reps_outside_hours() -> None:
    """At 15:00 UTC New York is open and Berlin closed: rachel gets every lead, lena is
    recorded as outside hours, and lena's credit keeps pace meanwhile."""
    afternoon = dt.datetime(2026, 6, 2, 17, tzinfo=dt.UTC)
    members = (TeamMember("lena"), TeamMember("rachel"))
    states = {"lena": RepState("lena", DE), "rachel": RepState("rachel", NY)}
    router = Router(team_routing(*members), states)
    decisions = router.route_many([LeadFacts(i) for i in range(1, 11)], afternoon)
    assert {d.username for d in decisions} == {"rachel"}
    assert all(d.skipped == (Skip("lena", OUTSIDE_HOURS),) for d in decisions)
    assert not any(d.outside_hours for d in decisions)
    assert router.reps["lena"].assigned >= router.reps["rachel"].assigned - 1


def test_when_nobody_works_the_rotation_continues_and_says_the_clock_waits() -> None:
    """At 03:00 UTC both offices are closed: the rotation still picks a rep, marks the
    decision as outside hours and records no outside-hours skips."""
    night = dt.datetime(2026, 6, 2, 3, tzinfo=dt.UTC)
    members = (TeamMember("lena"), TeamMember("rachel"))
    states = {"lena": RepState("lena", DE), "rachel": RepState("rachel", NY)}
    decisions = Router(team_routing(*members), states).route_many(
        [LeadFacts(i) for i in range(1, 5)], night
    )
    assert Counter(d.username for d in decisions) == {"lena": 2, "rachel": 2}
    assert all(d.outside_hours and d.skipped == () for d in decisions)
    assert "next opening" in decisions[0].explanation


def test_a_rep_back_from_absence_rejoins_the_rotation_without_a_burst() -> None:
    """cy misses 30 leads while away; of the next 30 he gets his third, not all."""
    members = (TeamMember("ann"), TeamMember("bob"), TeamMember("cy"))
    states = plain("ann", "bob", "cy")
    states["cy"].absences = (Absence(dt.date(2026, 6, 1), dt.date(2026, 6, 2)),)
    router = Router(team_routing(*members), states)
    router.route_many([LeadFacts(i) for i in range(1, 31)], NOW)
    back = router.route_many([LeadFacts(i) for i in range(31, 61)], NOW + dt.timedelta(days=1))
    assert Counter(d.username for d in back) == {"ann": 10, "bob": 10, "cy": 10}


def test_ten_thousand_leads_land_within_one_percent_of_the_weighted_share() -> None:
    """7 reps, weights 1-3, three with capacities below their share: the capped reps
    fill up exactly, and every other rep is within 1% of the water-filled weighted
    share."""
    spec = {
        "ann": (1, None),
        "bob": (2, 1000),
        "cy": (3, None),
        "dee": (1, 600),
        "eve": (2, None),
        "fay": (3, 2000),
        "gus": (1, None),
    }
    members = tuple(TeamMember(name, w, cap) for name, (w, cap) in spec.items())
    _, counts = rotate(members, plain(*spec), 10_000)
    shares = weighted_shares(
        10_000, {n: w for n, (w, _) in spec.items()}, {n: c for n, (_, c) in spec.items()}
    )
    assert sum(counts.values()) == 10_000
    capped = [name for name, (_, cap) in spec.items() if cap is not None and cap < shares[name] + 1]
    assert capped
    assert all(counts[name] == spec[name][1] for name in capped)
    free = [name for name in spec if name not in capped]
    assert max_relative_deviation(dict(counts), shares, free) < 0.01


def test_water_filled_shares() -> None:
    """Weights 1 and 3 share 100 as 25 / 75; capping the heavy rep at 50 gives the
    light one the other 50."""
    assert weighted_shares(100, {"a": 1, "b": 3}, {}) == {"a": 25, "b": 75}
    assert weighted_shares(100, {"a": 1, "b": 3}, {"b": 50}) == {"a": 50, "b": 50}
