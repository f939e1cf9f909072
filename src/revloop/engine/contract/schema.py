"""The parsed contract: frozen dataclasses, one per section of the YAML file.

Everything here is plain data; ``parse.py`` builds it from YAML with located errors,
``dump.py`` turns it back into the same YAML shape, and the scoring, lifecycle and
routing code reads it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from revloop.engine.contract.conditions import Condition
from revloop.engine.vocabulary import (
    BuyingRole,
    Channel,
    ContentKind,
    LifecycleStage,
    OpportunityStage,
    Role,
    TouchType,
)

FORMAT_VERSION = 1

#: The actor name that stands for revloop's own automatic rules (MQL, recycle, disqualify).
RULE_ACTOR = "rule"

#: Fit grades from best to worst. F is what is left below the D threshold.
GRADES: tuple[str, ...] = ("A", "B", "C", "D", "F")

#: Reason codes other parts of revloop rely on (feedback, truth in messaging, dedup).
REQUIRED_REASON_CODES: tuple[str, ...] = (
    "wrong_target",
    "misinformed",
    "no_budget",
    "student",
    "competitor",
    "duplicate",
    "bad_data",
)


#: Bounds on points and caps. They keep every per-person sum far below 2**33, where
#: scores on the engine's 2**-20 grid stop adding up exactly (see scoring.decay).
MAX_POINTS = 10_000.0
MAX_CAP = 1_000_000.0


class ReasonKind(StrEnum):
    REJECT = "reject"
    DISQUALIFY = "disqualify"
    LOST = "lost"


@dataclass(frozen=True)
class Actor:
    """A named group of roles that may make transitions (``marketing``, ``sales`` …)."""

    name: str
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class Transition:
    """An allowed edge. ``reason`` is the kind of reason code a user must give on it;
    automatic moves record their rule instead."""

    source: LifecycleStage
    target: LifecycleStage
    actors: tuple[str, ...]
    reason: ReasonKind | None = None

    @property
    def key(self) -> str:
        return f"{self.source.value}->{self.target.value}"


@dataclass(frozen=True)
class Reason:
    code: str
    label: str


@dataclass(frozen=True)
class Reasons:
    reject: tuple[Reason, ...]
    disqualify: tuple[Reason, ...]
    lost: tuple[Reason, ...]

    def of(self, kind: ReasonKind) -> tuple[Reason, ...]:
        return {
            ReasonKind.REJECT: self.reject,
            ReasonKind.DISQUALIFY: self.disqualify,
            ReasonKind.LOST: self.lost,
        }[kind]

    def codes(self, kind: ReasonKind) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.of(kind))


@dataclass(frozen=True)
class FitRule:
    id: str
    label: str
    condition: Condition
    points: float


@dataclass(frozen=True)
class NegativeRule:
    """A rule about who someone is that lowers fit, disqualifies, or both."""

    id: str
    label: str
    condition: Condition
    points: float = 0.0
    disqualify: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class TouchMatch:
    """Which touches a rule counts: every key given must hold (AND); within a key any
    listed value matches (OR). An empty match counts every touch."""

    types: tuple[TouchType, ...] = ()
    channels: tuple[Channel, ...] = ()
    campaigns: tuple[str, ...] = ()
    content_kinds: tuple[ContentKind, ...] = ()
    content_ids: tuple[int, ...] = ()
    url: str | None = None


@dataclass(frozen=True)
class EngagementRule:
    """Points per matching touch, decayed by age; the rule's total is capped at ``cap``
    (in size: a rule with negative points cannot take away more than ``cap``).

    A touch can score under several rules.
    """

    id: str
    label: str
    match: TouchMatch
    points: float
    half_life_days: float
    cap: float | None = None


@dataclass(frozen=True)
class GradeScale:
    """Minimum fit points for each grade; below ``d`` the grade is F."""

    a: float
    b: float
    c: float
    d: float

    def thresholds(self) -> tuple[float, float, float, float]:
        return (self.a, self.b, self.c, self.d)

    def letter(self, fit: float) -> str:
        for letter, minimum in zip(GRADES, self.thresholds(), strict=False):
            if fit >= minimum:
                return letter
        return GRADES[-1]


@dataclass(frozen=True)
class Scoring:
    half_life_days: float
    fit: tuple[FitRule, ...]
    grades: GradeScale
    engagement: tuple[EngagementRule, ...]
    negative: tuple[NegativeRule, ...]


@dataclass(frozen=True)
class MqlRule:
    """Every threshold that is set must hold, and no negative rule may disqualify."""

    from_stages: tuple[LifecycleStage, ...]
    min_engagement: float | None = None
    min_fit: float | None = None
    min_total: float | None = None
    min_grade: str | None = None


@dataclass(frozen=True)
class RecycleRule:
    """Quiet for ``no_touch_days`` since the last touch and since entering the stage."""

    from_stages: tuple[LifecycleStage, ...]
    no_touch_days: float


@dataclass(frozen=True)
class BusinessHours:
    """Working days and hours in one time zone; ``holidays`` are closed all day."""

    timezone: str
    days: tuple[str, ...]
    start: dt.time
    end: dt.time
    holidays: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class NamedCalendar:
    """An alternative set of business hours (a support desk, a country's holidays).

    Like the business hours, it runs in the rep's own zone; ``timezone`` is for reps
    without one (else the business hours' zone applies).
    """

    name: str
    days: tuple[str, ...]
    start: dt.time
    end: dt.time
    holidays: tuple[dt.date, ...] = ()
    timezone: str | None = None


@dataclass(frozen=True)
class SalesSla:
    first_touch_within_business_hours: float
    attempts: int
    attempts_within_business_days: float
    accept_or_reject_within_business_hours: float
    remind_before_business_hours: float | None = None
    escalate_to_manager: bool = True
    reassign: bool = False


@dataclass(frozen=True)
class MarketingSla:
    mql_per_week: int
    min_acceptance_rate: float
    measured_over_weeks: int = 4


@dataclass(frozen=True)
class Sla:
    business_hours: BusinessHours
    sales: SalesSla
    marketing: MarketingSla
    calendars: tuple[NamedCalendar, ...] = ()

    def calendar(self, name: str) -> NamedCalendar | None:
        return next((calendar for calendar in self.calendars if calendar.name == name), None)


@dataclass(frozen=True)
class NumberRange:
    minimum: float | None
    maximum: float | None

    def contains(self, value: float) -> bool:
        return (self.minimum is None or value >= self.minimum) and (
            self.maximum is None or value < self.maximum
        )


@dataclass(frozen=True)
class Segment:
    """Conditions on the person's account; every one given must hold."""

    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    size: NumberRange | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.countries or self.regions or self.industries or self.tiers or self.size)


@dataclass(frozen=True)
class RoutingRule:
    """Either the account owner, or a team (weighted round robin) when ``when`` holds.

    An ``account_owner`` rule falls through when the account has no owner.
    """

    id: str
    label: str
    account_owner: bool = False
    team: str | None = None
    when: Segment = Segment()


@dataclass(frozen=True)
class TeamMember:
    user: str
    weight: float = 1.0
    capacity: int | None = None


@dataclass(frozen=True)
class Team:
    name: str
    members: tuple[TeamMember, ...]


@dataclass(frozen=True)
class Routing:
    rules: tuple[RoutingRule, ...]
    teams: tuple[Team, ...]

    def team(self, name: str) -> Team | None:
        return next((team for team in self.teams if team.name == name), None)


@dataclass(frozen=True)
class PipelineChecks:
    """The honest-pipeline checks both teams sign: when an opportunity is flagged.

    A contract without a ``pipeline_checks`` section gets these defaults.
    """

    #: No call, meeting or logged sales activity with the deal's contacts for this long.
    no_activity_days: float = 30.0
    #: Touches that count as activity besides logged sales activities (calls, emails, meetings).
    activity_types: tuple[TouchType, ...] = (
        TouchType.CALL,
        TouchType.MEETING,
        TouchType.CHAT,
        TouchType.EVENT,
    )
    #: The close date moved later at least this many times.
    close_date_pushes: int = 3
    #: The close date lies this many days in the past and the deal is still open.
    past_due_days: float = 7.0
    #: The last days of a quarter in which a burst of new deals is suspicious …
    burst_days: float = 10.0
    #: … when a rep creates at least this many times their own usual daily rate there …
    burst_ratio: float = 2.0
    #: … and chance alone (Poisson at the usual rate) explains it with less than 1 - this.
    burst_confidence: float = 0.99
    #: At least this many open stages skipped in one move.
    skipped_stages: int = 1
    #: The amount grew by at least this factor in one change.
    amount_jump_ratio: float = 1.5
    #: Someone on the deal must hold one of these roles …
    buyer_roles: tuple[BuyingRole, ...] = (BuyingRole.ECONOMIC_BUYER,)
    #: … once the deal has reached this stage.
    buyer_role_from_stage: OpportunityStage = OpportunityStage.PROPOSAL
    #: Stuck: time in the stage over ``stuck_factor`` times this quantile of the stage's
    #: usual time (deals that left it) …
    stuck_quantile: float = 0.9
    stuck_factor: float = 1.5
    #: … measured on at least this many deals that left the stage, else not judged.
    stuck_min_deals: int = 10
    #: A deal flagged by at least this many different checks is a suspect …
    suspect_checks: int = 2
    #: … not counting these, which point at a gap in qualification rather than at a
    #: deal that may not exist (names of checks; see ``revloop pipeline check``).
    suspect_ignores: tuple[str, ...] = ("no_economic_buyer",)


@dataclass(frozen=True)
class Contract:
    format: int
    name: str
    description: str
    actors: tuple[Actor, ...]
    stages: tuple[LifecycleStage, ...]
    transitions: tuple[Transition, ...]
    reasons: Reasons
    scoring: Scoring
    mql: MqlRule
    recycle: RecycleRule
    sla: Sla
    routing: Routing
    pipeline_checks: PipelineChecks = PipelineChecks()

    def transition(self, source: LifecycleStage, target: LifecycleStage) -> Transition | None:
        return next(
            (t for t in self.transitions if t.source is source and t.target is target), None
        )

    def actor(self, name: str) -> Actor | None:
        return next((actor for actor in self.actors if actor.name == name), None)
