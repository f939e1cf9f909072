"""Choose the rep for each new MQL from the contract's routing rules.

Rules are tried in order and the first that yields a rep wins; a rule whose ``when``
does not hold, or that finds nobody available, falls through to the next. Every
rep passed over on the way is recorded with a reason code (see ``facts``).

**Owner rules** (``account_owner: true``) give the lead to the account's owner, else
to the owner of an open opportunity on the account. The owner must be a known,
active rep, a member of some routing team (so an admin who owns imported accounts
takes no MQLs), and not away on their local date. Capacity does not stop an owner:
the relationship matters more than the load, and capacity is a rule of the round
robin. An owner outside working hours still gets the lead (the SLA clock starts at
their next opening).

**Team rules** run a weighted round robin among the team's members. A member is
skipped when unknown, inactive, away on their local date, or at capacity (open MQL
+ SAL load ≥ capacity). Members working at this moment come first; the others are
skipped as ``outside_hours`` unless nobody is working, in which case the best of them
takes the lead and ``Decision.outside_hours`` says so.

Among the candidates the rep with the lowest ``(assigned + 0.5) / weight`` wins,
Webster's divisor method in sequential form, which keeps every rep within about one
lead of their weighted share at every moment. Reps passed over (away, full, out of
hours) have their credit raised as if they had taken the turn that went to someone
else, so a rep back from leave or below capacity again rejoins the rotation level
with the team instead of collecting every new lead until they catch up.

**Ties** (equal credit for the weight, as at the start or after every full round
with equal weights) go to the candidate with the lowest stable hash of the lead's
``person_id`` and the username: a draw that is the same on every run and machine,
spreads leads evenly, and knows nothing of seniority, sign-up date or list order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from revloop.engine.contract.schema import Routing, RoutingRule, TeamMember
from revloop.engine.routing.facts import (
    ABSENT,
    AT_CAPACITY,
    INACTIVE,
    NOT_A_MEMBER,
    OUTSIDE_HOURS,
    UNKNOWN_USER,
    Decision,
    LeadFacts,
    RepState,
    Skip,
)
from revloop.engine.routing.segments import Matcher, compile_segment
from revloop.engine.sla import BusinessCalendar
from revloop.engine.sla.windows import to_utc

#: Half a lead: Webster's divisor, unbiased between large and small weights.
_OFFSET = 0.5


@dataclass(frozen=True, slots=True)
class _Rule:
    rule: RoutingRule
    matches: Matcher
    members: tuple[TeamMember, ...]


@dataclass(slots=True)
class _Candidate:
    rep: RepState
    weight: float

    @property
    def key(self) -> float:
        return (self.rep.assigned + _OFFSET) / self.weight


def draw(person_id: int, username: str) -> bytes:
    """The stable tie-break of a rep for a lead (lowest wins)."""
    return hashlib.blake2b(f"{person_id}:{username}".encode(), digest_size=8).digest()


class Router:
    """Assigns leads under one routing contract, updating the reps' states as it goes."""

    def __init__(self, routing: Routing, reps: Mapping[str, RepState]) -> None:
        self._reps = dict(reps)
        self._members = frozenset(m.user for team in routing.teams for m in team.members)
        rules = []
        for rule in routing.rules:
            team = routing.team(rule.team) if rule.team is not None else None
            if rule.team is not None and team is None:
                raise ValueError(f"routing rule {rule.id!r} names unknown team {rule.team!r}")
            members = team.members if team is not None else ()
            rules.append(_Rule(rule, compile_segment(rule.when), members))
        self._rules = tuple(rules)
        # Local date and open/closed of each rep at the moment being routed: a batch
        # shares one moment, so each rep's calendar is consulted once per batch.
        self._moment: dt.datetime | None = None
        self._status: dict[str, tuple[BusinessCalendar, dt.date, bool]] = {}
        self._by_calendar: dict[BusinessCalendar, tuple[dt.date, bool]] = {}

    @property
    def reps(self) -> Mapping[str, RepState]:
        return MappingProxyType(self._reps)

    def route(self, lead: LeadFacts, now: dt.datetime) -> Decision:
        moment = to_utc(now)
        if moment != self._moment:
            self._moment, self._status, self._by_calendar = moment, {}, {}
        skipped: list[Skip] = []
        for compiled in self._rules:
            if not compiled.matches(lead):
                continue
            if compiled.rule.account_owner:
                decision = self._owner(compiled.rule, lead, skipped)
            else:
                decision = self._round_robin(compiled, lead, skipped)
            if decision is not None:
                return decision
        passed = _unique(skipped)
        return Decision(
            lead.person_id,
            None,
            None,
            None,
            passed,
            f"No rule found a rep who can take the lead ({len(passed)} passed over).",
        )

    def route_many(self, leads: Sequence[LeadFacts], now: dt.datetime) -> list[Decision]:
        return [self.route(lead, now) for lead in leads]

    def _owner(self, rule: RoutingRule, lead: LeadFacts, skipped: list[Skip]) -> Decision | None:
        owners = (
            ("account", lead.account_owner),
            ("open opportunity", lead.open_opportunity_owner),
        )
        for what, username in owners:
            if not username:
                continue
            rep = self._reps.get(username)
            if rep is None:
                skipped.append(Skip(username, UNKNOWN_USER))
                continue
            if not rep.active:
                skipped.append(Skip(username, INACTIVE))
                continue
            if username not in self._members:
                skipped.append(Skip(username, NOT_A_MEMBER))
                continue
            day, is_open = self._now_for(rep)
            if rep.is_absent(day):
                skipped.append(Skip(username, ABSENT))
                continue
            rep.open_leads += 1
            note = (
                ""
                if is_open
                else "; they are outside working hours, so the clock starts at their next opening"
            )
            return Decision(
                lead.person_id,
                username,
                rule.id,
                None,
                _unique(skipped),
                f"{username} owns the {what}, so rule '{rule.id}' keeps the relationship "
                f"with them{note}.",
                outside_hours=not is_open,
            )
        return None

    def _round_robin(
        self, compiled: _Rule, lead: LeadFacts, skipped: list[Skip]
    ) -> Decision | None:
        working: list[_Candidate] = []
        resting: list[_Candidate] = []
        passed: list[_Candidate] = []
        for member in compiled.members:
            rep = self._reps.get(member.user)
            if rep is None:
                skipped.append(Skip(member.user, UNKNOWN_USER))
                continue
            if not rep.active:
                skipped.append(Skip(member.user, INACTIVE))
                continue
            day, is_open = self._now_for(rep)
            candidate = _Candidate(rep, member.weight)
            if rep.absences and rep.is_absent(day):
                skipped.append(Skip(member.user, ABSENT))
                passed.append(candidate)
            elif member.capacity is not None and rep.open_leads >= member.capacity:
                skipped.append(Skip(member.user, AT_CAPACITY))
                passed.append(candidate)
            else:
                (working if is_open else resting).append(candidate)
        pool = working or resting
        if not pool:
            return None
        if working:
            skipped.extend(Skip(candidate.rep.username, OUTSIDE_HOURS) for candidate in resting)
            passed.extend(resting)
        best = min(candidate.key for candidate in pool)
        tied = [candidate for candidate in pool if candidate.key == best]
        chosen = (
            tied[0]
            if len(tied) == 1
            else min(tied, key=lambda c: draw(lead.person_id, c.rep.username))
        )
        rep = chosen.rep
        credit = rep.assigned
        rep.assigned += 1
        # Passed-over reps are credited as if they had taken this turn too.
        pace = chosen.key
        for candidate in passed:
            candidate.rep.assigned = max(candidate.rep.assigned, pace * candidate.weight - _OFFSET)
        rep.open_leads += 1
        rule = compiled.rule
        why = (
            "had the fewest round-robin leads for their weight "
            f"({credit:g} at weight {chosen.weight:g})"
        )
        if len(tied) > 1:
            others = ", ".join(c.rep.username for c in tied if c is not chosen)
            why += f", tied with {others}, and won this lead's stable draw"
        if not working:
            why += "; nobody in the team is working now, so the clock starts at their next opening"
        return Decision(
            lead.person_id,
            rep.username,
            rule.id,
            rule.team,
            _unique(skipped),
            f"Rule '{rule.id}' sends the lead to team {rule.team}, where {rep.username} {why}.",
            outside_hours=not working,
        )

    def _now_for(self, rep: RepState) -> tuple[dt.date, bool]:
        """The rep's local date and whether they are working, at the moment routed."""
        cached = self._status.get(rep.username)
        if cached is not None and cached[0] is rep.calendar:
            return cached[1], cached[2]
        assert self._moment is not None  # route() sets it before any rule runs
        calendar = rep.calendar
        # Reps usually share a handful of calendars (one per office): look each up once.
        shared = self._by_calendar.get(calendar)
        if shared is None:
            shared = (calendar.local_date(self._moment), calendar.is_open(self._moment))
            self._by_calendar[calendar] = shared
        self._status[rep.username] = (calendar, *shared)
        return shared


def _unique(skips: list[Skip]) -> tuple[Skip, ...]:
    return tuple(dict.fromkeys(skips))
