"""A rep's inbox: their open leads, most pressing first, with the clocks that run on them.

The rows are the leads the shown reps own in MQL, SAL or SQL, joined with routing's
running SLA clocks (:func:`revloop.routing.queries.open_work`). Their order is the
engine's :func:`~revloop.engine.handoff.inbox_order`: breached clocks first, then value
(predicted probability, or the contract score) and urgency (time left) together.

A rep sees their own inbox; a sales manager their team's (everyone who reports to them,
and themselves), or one member's with ``rep``; an admin anyone's. Other roles work no
leads and have no inbox.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.db.models import Q
from django.utils import timezone

from revloop.contracts.versions import active_contract
from revloop.core.errors import NotFoundError
from revloop.engine.contract import Contract, ReasonKind
from revloop.engine.handoff import InboxSignals, inbox_order
from revloop.engine.lifecycle import Mover, allowed_moves, conversion_path
from revloop.engine.vocabulary import LifecycleStage
from revloop.feedback.models import ActivityKind, ActivityOutcome, HeardKind
from revloop.lifecycle.actions import mover_for
from revloop.people.models import Person
from revloop.routing.models import SlaClock
from revloop.routing.queries import WorkItem, breached_leads, open_work, pressure
from revloop.users.models import User
from revloop.users.policy import Reach, owner_scope, reach, require, rule, team_ids

#: The stages a lead sits in while Sales works it.
WORKING_STAGES = (LifecycleStage.MQL, LifecycleStage.SAL, LifecycleStage.SQL)
#: Rows shown at most; the rest wait below the fold of a very long inbox.
MAX_ROWS = 500


@dataclass(frozen=True)
class InboxRow:
    person_id: int
    name: str
    email: str
    title: str
    account: str | None
    stage: str
    stage_label: str
    owner: str | None
    rule_score: float
    grade: str
    predicted_probability: float | None
    priority: float
    #: The most pressing running clock, if any.
    clock_kind: str | None
    due_at: datetime | None
    seconds_left: float | None
    breached: bool
    attempts_done: int
    attempts_needed: int
    clocks: int
    may_act: bool
    can_accept: bool
    can_reject: bool
    can_disqualify: bool
    can_convert: bool

    @property
    def clock_label(self) -> str:
        return (self.clock_kind or "").replace("_", " ")

    @property
    def countdown(self) -> str:
        """The time left as text, as the page's script keeps counting it down."""
        if self.seconds_left is None:
            return ""
        left = int(abs(self.seconds_left))
        hours, rest = divmod(left, 3600)
        text = f"{hours}h {rest // 60:02d}m {rest % 60:02d}s"
        return f"{text} left" if self.seconds_left >= 0 else f"{text} overdue"


@dataclass(frozen=True)
class TeamMember:
    username: str
    name: str
    open: int
    breached: int


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Inbox:
    as_of: datetime
    viewer: str
    #: Whose leads are listed (one rep, or a whole team).
    showing: list[str]
    rep: str | None
    rows: list[InboxRow]
    total: int
    breached: int
    team: list[TeamMember] = field(default_factory=list)
    reject_reasons: list[Choice] = field(default_factory=list)
    disqualify_reasons: list[Choice] = field(default_factory=list)
    activity_kinds: list[Choice] = field(default_factory=list)
    outcomes: list[Choice] = field(default_factory=list)
    heard_kinds: list[Choice] = field(default_factory=list)


def rep_inbox(
    viewer: User | None,
    rep: str | None = None,
    *,
    now: datetime | None = None,
    only: Collection[int] | None = None,
    limit: int = MAX_ROWS,
) -> Inbox:
    """The inbox ``viewer`` may see: their own, their team's, or ``rep``'s.

    ``limit`` rows at most (up to :data:`MAX_ROWS`), the most pressing; the counts
    are over all of them.
    """
    now = now or timezone.now()
    users, team = _whose(viewer, rep)
    assert viewer is not None
    _, contract = active_contract()
    listing = _rows(viewer, contract, users, now, only=only, limit=max(1, min(limit, MAX_ROWS)))
    return Inbox(
        as_of=now,
        viewer=viewer.username,
        showing=[u.username for u in users],
        rep=rep,
        rows=listing.rows,
        total=listing.total,
        breached=listing.breached,
        team=_team_summary(team, now) if team and only is None else [],
        reject_reasons=_reasons(contract, ReasonKind.REJECT),
        disqualify_reasons=_reasons(contract, ReasonKind.DISQUALIFY),
        activity_kinds=_choices(ActivityKind.choices),
        outcomes=_choices(ActivityOutcome.choices),
        heard_kinds=_choices(HeardKind.choices),
    )


def _whose(viewer: User | None, rep: str | None) -> tuple[list[User], list[User]]:
    """The users whose leads are listed, and the team to summarise (managers, admins)."""
    require(viewer, "inbox.read")
    assert viewer is not None
    granted = reach(viewer, "inbox.read")
    if granted is Reach.ANY:
        # Everyone who may own leads.
        found = User.objects.filter(groups__name__in=rule("lead.own").roles())
        team = sorted(set(found), key=lambda u: u.username)
    elif granted is Reach.TEAM:
        team = sorted(User.objects.filter(pk__in=team_ids(viewer)), key=lambda u: u.username)
    else:
        team = []
    if rep is None or rep == viewer.username:
        if rep is None and team:
            return team, team
        return [viewer], team
    chosen = User.objects.filter(username=rep).first()
    if chosen is None:
        raise NotFoundError(f"no user {rep!r}")
    require(viewer, "inbox.read", chosen, what=f"{rep}'s inbox")
    return [chosen], team


@dataclass(frozen=True)
class _Listing:
    rows: list[InboxRow]
    total: int
    breached: int


def _rows(
    viewer: User,
    contract: Contract,
    users: list[User],
    now: datetime,
    *,
    only: Collection[int] | None,
    limit: int,
) -> _Listing:
    """The first ``limit`` rows in inbox order, and counts over all of them.

    The order is computed over a few columns of every candidate; whole rows are built
    only for the leads shown, so an admin's inbox of the whole company stays quick.
    """
    pressing = pressure(users, now)
    clocked = SlaClock.objects.filter(rep__in=users, stopped_at__isnull=True).values("person_id")
    # A lead that left the working stages leaves the inbox, even before routing has
    # stopped its clocks.
    people = Person.objects.filter(
        Q(owner__in=users) | Q(pk__in=clocked), stage__in=[s.value for s in WORKING_STAGES]
    )
    if only is not None:
        people = people.filter(pk__in=only)
    candidates = list(people.values_list("pk", "rule_score", "predicted_probability"))
    if not candidates:
        return _Listing([], 0, 0)
    items = [pressing.get(pk) for pk, _, _ in candidates]
    nan = float("nan")
    signals = InboxSignals(
        rule_score=np.array([score for _, score, _ in candidates], dtype=np.float64),
        probability=np.array([nan if p is None else p for _, _, p in candidates], dtype=np.float64),
        seconds_left=np.array(
            [nan if i is None else i.seconds_left for i in items], dtype=np.float64
        ),
        breached=np.array([i is not None and i.breached for i in items], dtype=np.bool_),
    )
    order, priority = inbox_order(signals)
    shown = order[:limit].tolist()
    # Whole clocks only for the leads shown; the order needed one row per lead.
    shown_ids = [candidates[i][0] for i in shown]
    work, counts = _most_pressing(open_work(users, now, people=shown_ids))
    loaded = Person.objects.select_related("account", "owner").in_bulk(shown_ids)
    mover = mover_for(viewer)
    may_act = owner_scope(viewer, "lead.work")
    rows = []
    for i in shown:
        person = loaded[candidates[i][0]]
        rows.append(
            _row(
                person,
                work.get(person.pk),
                float(priority[i]),
                may_act=may_act(person.owner_id),
                contract=contract,
                mover=mover,
                clocks=counts.get(person.pk, 0),
            )
        )
    return _Listing(rows, len(candidates), int(signals.breached.sum()))


def _most_pressing(items: Iterable[WorkItem]) -> tuple[dict[int, WorkItem], dict[int, int]]:
    """Per person the breached or soonest-due clock, and how many clocks run on them."""
    best: dict[int, WorkItem] = {}
    counts: Counter[int] = Counter()
    for item in items:
        counts[item.person_id] += 1
        current = best.get(item.person_id)
        if current is None or (not item.breached, item.seconds_left) < (
            not current.breached,
            current.seconds_left,
        ):
            best[item.person_id] = item
    return best, dict(counts)


def _row(
    person: Person,
    item: WorkItem | None,
    priority: float,
    *,
    may_act: bool,
    contract: Contract,
    mover: Mover,
    clocks: int,
) -> InboxRow:
    stage = LifecycleStage(person.stage)
    targets = {edge.target for edge in allowed_moves(contract, stage, mover)}
    return InboxRow(
        person_id=person.pk,
        name=person.full_name,
        email=person.email,
        title=person.title,
        account=person.account.name if person.account else None,
        stage=stage.value,
        stage_label=stage.label,
        owner=person.owner.username if person.owner else None,
        rule_score=person.rule_score,
        grade=person.grade,
        predicted_probability=person.predicted_probability,
        priority=round(priority, 4),
        clock_kind=item.clock_kind if item else None,
        due_at=item.due_at if item else None,
        seconds_left=item.seconds_left if item else None,
        breached=bool(item and item.breached),
        attempts_done=item.attempts_done if item else 0,
        attempts_needed=item.attempts_needed if item else 0,
        clocks=clocks,
        may_act=may_act,
        can_accept=LifecycleStage.SAL in targets,
        can_reject=LifecycleStage.RECYCLED in targets,
        can_disqualify=LifecycleStage.DISQUALIFIED in targets,
        can_convert=bool(conversion_path(contract, stage, mover)),
    )


def _team_summary(team: list[User], now: datetime) -> list[TeamMember]:
    """Open leads and breached clocks of every team member, whoever's inbox is shown."""
    open_leads = Counter(
        Person.objects.filter(
            owner__in=team, stage__in=[s.value for s in WORKING_STAGES]
        ).values_list("owner__username", flat=True)
    )
    breached = breached_leads(team)
    return [
        TeamMember(
            username=user.username,
            name=user.get_full_name() or user.username,
            open=open_leads[user.username],
            breached=breached.get(user.username, 0),
        )
        for user in team
    ]


def _reasons(contract: Contract, kind: ReasonKind) -> list[Choice]:
    return [Choice(reason.code, reason.label) for reason in contract.reasons.of(kind)]


def _choices(pairs: Iterable[tuple[str, str]]) -> list[Choice]:
    return [Choice(value, label) for value, label in pairs if value]
