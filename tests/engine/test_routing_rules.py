"""Routing rules in order: owners first, then segments, then the catch-all team."""

from __future__ import annotations

import datetime as dt

import pytest

from revloop.engine.contract import default_contract
from revloop.engine.contract.schema import (
    NumberRange,
    Routing,
    RoutingRule,
    Segment,
    Team,
    TeamMember,
)
from revloop.engine.routing import (
    ABSENT,
    AT_CAPACITY,
    INACTIVE,
    NOT_A_MEMBER,
    UNKNOWN_USER,
    Absence,
    LeadFacts,
    RepState,
    Router,
    Skip,
)
from revloop.engine.sla import BusinessCalendar

# Tuesday 2 June 2026, 14:00 UTC: open in both New York (10:00) and Berlin (16:00).
NOW = dt.datetime(2026, 6, 2, 14, tzinfo=dt.UTC)
NY = BusinessCalendar("America/New_York")
DE = BusinessCalendar("Europe/Berlin")
NA_REPS = ("rachel", "tom", "devon")
EMEA_REPS = ("lena", "jonas", "sofia")


def reps(**overrides: RepState) -> dict[str, RepState]:
    states = {name: RepState(name, NY) for name in NA_REPS}
    states.update({name: RepState(name, DE) for name in EMEA_REPS})
    states["nina"] = RepState("nina", NY)  # a manager: owns accounts, takes no MQLs
    states.update(overrides)
    return states


def router(**overrides: RepState) -> Router:
    return Router(default_contract().routing, reps(**overrides))


def test_the_account_owner_gets_the_lead_before_any_segment_rule() -> None:
    """An EMEA account owned by rachel goes to rachel, by the owner rule."""
    decision = router().route(
        LeadFacts(1, account_id=7, account_owner="rachel", region="EMEA"), NOW
    )
    assert (decision.username, decision.rule_id, decision.team) == ("rachel", "account_owner", None)
    assert decision.skipped == ()
    assert "owns the account" in decision.explanation


def test_the_open_opportunity_owner_is_next_when_the_account_has_no_owner() -> None:
    """No account owner, an open opportunity owned by jonas: jonas gets it."""
    decision = router().route(LeadFacts(1, account_id=7, open_opportunity_owner="jonas"), NOW)
    assert (decision.username, decision.rule_id) == ("jonas", "account_owner")
    assert "open opportunity" in decision.explanation


def test_an_owner_over_capacity_keeps_the_account() -> None:
    """Capacity limits the round robin, not the owner rule; the owner's load grows."""
    full = RepState("lena", DE, open_leads=500)
    routed = router(lena=full)
    decision = routed.route(LeadFacts(1, account_owner="lena"), NOW)
    assert decision.username == "lena"
    assert routed.reps["lena"].open_leads == 501
    assert routed.reps["lena"].assigned == 0


@pytest.mark.parametrize(
    ("owner", "state", "reason"),
    [
        ("lena", RepState("lena", DE, absences=(Absence(NOW.date(), NOW.date()),)), ABSENT),
        ("lena", RepState("lena", DE, active=False), INACTIVE),
        ("ghost", None, UNKNOWN_USER),
        ("nina", None, NOT_A_MEMBER),
    ],
)
def test_an_owner_who_cannot_take_the_lead_falls_through_to_the_segment_rules(
    owner: str, state: RepState | None, reason: str
) -> None:
    """An absent, inactive, unknown or non-routing owner is recorded and skipped; the
    EMEA rule routes the lead instead."""
    routed = router(**({owner: state} if state is not None else {}))
    decision = routed.route(LeadFacts(1, account_owner=owner, region="EMEA"), NOW)
    assert decision.rule_id == "emea"
    assert decision.username in EMEA_REPS
    assert decision.skipped[0] == Skip(owner, reason)


def test_rules_apply_in_order_first_match_wins() -> None:
    """A German account with region EMEA matches both EMEA rules; the first one wins.
    A German account without a region goes by country; a US one to the catch-all."""
    routed = router()
    assert routed.route(LeadFacts(1, region="EMEA", country="DE"), NOW).rule_id == "emea"
    assert routed.route(LeadFacts(2, country="de"), NOW).rule_id == "emea_countries"
    us = routed.route(LeadFacts(3, country="US"), NOW)
    assert (us.rule_id, us.team) == ("everyone_else", "north_america")
    assert us.username in NA_REPS


def segment_routing(when: Segment) -> Routing:
    return Routing(
        rules=(
            RoutingRule("special", "Special", team="special", when=when),
            RoutingRule("rest", "Rest", team="rest"),
        ),
        teams=(
            Team("special", (TeamMember("lena"),)),
            Team("rest", (TeamMember("tom"),)),
        ),
    )


@pytest.mark.parametrize(
    ("when", "lead", "matches"),
    [
        (Segment(industries=("Software",)), LeadFacts(1, industry="software"), True),
        (Segment(industries=("Software",)), LeadFacts(1, industry="Retail"), False),
        (Segment(tiers=("1", "2")), LeadFacts(1, tier="2"), True),
        (Segment(tiers=("1", "2")), LeadFacts(1, tier="3"), False),
        (Segment(size=NumberRange(500, None)), LeadFacts(1, employees=500), True),
        (Segment(size=NumberRange(500, None)), LeadFacts(1, employees=499), False),
        (Segment(size=NumberRange(None, 50)), LeadFacts(1), False),
        (Segment(regions=("APAC",)), LeadFacts(1, region="apac"), True),
        (
            Segment(countries=("DE",), tiers=("1",)),
            LeadFacts(1, country="DE", tier="2"),
            False,
        ),
    ],
)
def test_segment_conditions(when: Segment, lead: LeadFacts, matches: bool) -> None:
    """Every condition given must hold; text ignores case; size needs a known count
    and its upper bound is exclusive."""
    decision = Router(segment_routing(when), reps()).route(lead, NOW)
    assert decision.rule_id == ("special" if matches else "rest")


def test_a_team_with_nobody_available_falls_through_to_the_next_rule() -> None:
    """All of EMEA away: an EMEA lead goes to the catch-all team, with the skips kept."""
    away = (Absence(dt.date(2026, 6, 1), dt.date(2026, 6, 5)),)
    routed = router(**{name: RepState(name, DE, absences=away) for name in EMEA_REPS})
    decision = routed.route(LeadFacts(1, region="EMEA"), NOW)
    assert decision.rule_id == "everyone_else"
    assert decision.username in NA_REPS
    assert {skip.username for skip in decision.skipped} == set(EMEA_REPS)
    assert {skip.reason for skip in decision.skipped} == {ABSENT}


def test_nobody_gets_the_lead_when_every_rep_is_unavailable() -> None:
    """With every rep inactive or full, the decision names nobody and says why."""
    states = {name: RepState(name, NY, active=False) for name in EMEA_REPS}
    states.update({name: RepState(name, NY, open_leads=150) for name in NA_REPS})
    routed = Router(default_contract().routing, states)
    decision = routed.route(LeadFacts(1, region="EMEA"), NOW)
    assert (decision.username, decision.rule_id, decision.team) == (None, None, None)
    assert {(s.username, s.reason) for s in decision.skipped} == {
        *((name, INACTIVE) for name in EMEA_REPS),
        *((name, AT_CAPACITY) for name in NA_REPS),
    }
    assert "No rule" in decision.explanation


def test_routing_needs_an_aware_moment_and_known_teams() -> None:
    """A naive 'now' is refused; so is a rule naming a team that does not exist."""
    with pytest.raises(ValueError, match="naive"):
        router().route(LeadFacts(1), dt.datetime(2026, 6, 2, 14))
    broken = Routing((RoutingRule("r", "R", team="missing"),), (Team("t", (TeamMember("a"),)),))
    with pytest.raises(ValueError, match="unknown team"):
        Router(broken, {})


def test_route_many_routes_in_order_and_updates_the_states() -> None:
    """A batch equals routing one lead after the other; the chosen reps' loads grow."""
    leads = [LeadFacts(i, country="US") for i in range(1, 31)]
    one_by_one = router()
    expected = [one_by_one.route(lead, NOW) for lead in leads]
    batch = router()
    assert batch.route_many(leads, NOW) == expected
    assert sum(batch.reps[name].open_leads for name in NA_REPS) == 30
    assert sum(batch.reps[name].assigned for name in NA_REPS) == 30
