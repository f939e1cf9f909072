"""What the router reads and writes: plain dataclasses, no ORM objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from revloop.engine.sla import BusinessCalendar

#: Why a rep was passed over; stable codes that pages and the API show.
ABSENT = "absent"  # marked away on the rep's local date
AT_CAPACITY = "at_capacity"  # open MQL + SAL load at the member's capacity
INACTIVE = "inactive"  # deactivated user
OUTSIDE_HOURS = "outside_hours"  # another member of the team is working right now
NOT_A_MEMBER = "not_a_member"  # an owner who takes no leads (in no routing team)
UNKNOWN_USER = "unknown_user"  # named by the contract or as an owner, but no such rep
SKIP_REASONS: tuple[str, ...] = (
    ABSENT,
    AT_CAPACITY,
    INACTIVE,
    OUTSIDE_HOURS,
    NOT_A_MEMBER,
    UNKNOWN_USER,
)


@dataclass(frozen=True, slots=True)
class LeadFacts:
    """The lead as routing sees it: its account's owner and firmographics."""

    person_id: int
    account_id: int | None = None
    account_owner: str | None = None
    open_opportunity_owner: str | None = None
    country: str = ""
    region: str = ""
    industry: str = ""
    employees: int | None = None
    tier: str = ""


@dataclass(frozen=True, slots=True)
class Absence:
    """Away from ``starts`` to ``ends``, both inclusive, as dates in the rep's zone."""

    starts: dt.date
    ends: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.starts <= day <= self.ends


@dataclass(slots=True)
class RepState:
    """One rep as the router tracks them while it assigns.

    ``open_leads`` is the current open MQL + SAL load and grows with every lead the
    router gives them. ``assigned`` is the rep's round-robin credit: it grows by one
    with every round-robin lead, and while a rep is passed over (away, full, out of
    hours) the router raises it to keep pace with the team, so nobody comes back to a
    backlog of turns. Seed it with the round-robin leads counted so far.
    """

    username: str
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    open_leads: int = 0
    assigned: float = 0.0
    active: bool = True
    absences: tuple[Absence, ...] = ()

    def is_absent(self, day: dt.date) -> bool:
        return any(absence.covers(day) for absence in self.absences)


@dataclass(frozen=True, slots=True)
class Skip:
    username: str
    reason: str


@dataclass(frozen=True, slots=True)
class Decision:
    """Who gets the lead, by which rule, and who was passed over and why.

    ``username`` is None when no rule found a rep who can take it. ``outside_hours``
    says the chosen rep is not working at the moment of routing; their SLA clock
    starts at their next opening.
    """

    person_id: int
    username: str | None
    rule_id: str | None
    team: str | None
    skipped: tuple[Skip, ...]
    explanation: str
    outside_hours: bool = False
