"""Setting a goal: one way in, permission-checked, one transaction, every change kept.

Sales managers and admins set any team's goals; a marketer who manages others (is
someone's ``manager``) sets Marketing's. A goal that is not specific, measurable and
time-bound is refused with every reason; a relative target (+10%) is turned into a
number from its baseline period, which must have ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.db.models import Count
from django.dispatch import Signal
from django.utils import timezone

from revloop.core.errors import InvalidInputError
from revloop.engine.goals import GoalRefused, GoalSpec, Period, Team, check_goal
from revloop.goals.metrics import daily_series, period_value
from revloop.goals.models import Goal, GoalChange
from revloop.pipeline.models import Opportunity
from revloop.users.models import User
from revloop.users.policy import allows, require

#: Sent after the transaction that set a goal commits (``goal``, ``created``).
goal_set = Signal()


class GoalInvalid(InvalidInputError):  # noqa: N818 - reads as "the goal is invalid"
    """The goal is not SMART; ``reasons`` name each field."""

    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__("goal refused: " + "; ".join(reasons))
        self.reasons = reasons


def may_set_goal(user: User | None, team: str) -> bool:
    """``None`` is revloop itself (the demo set-up, an operator's command line)."""
    return user is None or allows(user, "goal.set", team)


def check_can_set_goal(user: User | None, team: str) -> None:
    if user is not None:
        require(user, "goal.set", team, what=f"{team}'s goals")


def company_currency() -> str:
    """The currency most opportunities are in (USD with none)."""
    top = (
        Opportunity.objects.values("currency")
        .annotate(n=Count("id"))
        .order_by("-n", "currency")
        .first()
    )
    return top["currency"] if top else "USD"


@dataclass(frozen=True)
class Baseline:
    period: Period
    value: Decimal | None


def baseline_of(spec: GoalSpec, today: date) -> Baseline | None:
    """The value of the period a relative target is measured against."""
    if spec.change is None:
        return None
    period = spec.period.previous() if spec.baseline == "previous" else spec.period.last_year()
    if period.end > today:
        raise GoalInvalid(
            (
                (
                    f"baseline: {period.label} has not ended, so its total is not known; "
                    "compare with last year or give an absolute target"
                ),
            )
        )
    series = daily_series(
        spec.metric.name,
        period.start,
        period.end,
        team=spec.team,
        group=spec.group,
        currency=spec.currency,
        today=today,
    )
    return Baseline(period, period_value(series, period.start, period.end, spec.metric.kind))


def do_set_goal(
    *,
    team: str,
    metric: str,
    period: str | Period,
    target: str,
    by: User | None,
    group: str = "",
    baseline: str | None = None,
    currency: str = "",
    note: str = "",
    now: datetime | None = None,
) -> tuple[Goal, bool]:
    """Set (or change) a goal; returns (goal, whether it is new)."""
    check_can_set_goal(by, team.strip().lower())
    now = now or timezone.now()
    today = timezone.localdate(now)
    try:
        spec = check_goal(
            team=team,
            metric=metric,
            period=period,
            target=target,
            today=today,
            group=group,
            baseline=baseline,
            currency=currency or company_currency(),
        )
    except GoalRefused as refused:
        raise GoalInvalid(refused.reasons) from None
    if spec.team is Team.GROUP and not User.objects.filter(team=spec.group).exists():
        raise GoalInvalid((f"group: no user is in team {spec.group!r}",))
    base = baseline_of(spec, today)
    try:
        value = spec.with_target(base.value if base else None)
    except GoalRefused as refused:
        raise GoalInvalid(refused.reasons) from None
    with transaction.atomic():
        goal = (
            Goal.objects.select_for_update()
            .filter(
                team=spec.team.value,
                group=spec.group,
                metric=spec.metric.name,
                period_start=spec.period.start,
                period_end=spec.period.end,
            )
            .first()
        )
        created = goal is None
        old = None if goal is None else goal.target
        if goal is None:
            goal = Goal(
                team=spec.team.value,
                group=spec.group,
                metric=spec.metric.name,
                period_kind=spec.period.kind,
                period_start=spec.period.start,
                period_end=spec.period.end,
                created_by=by,
                created_at=now,
            )
        goal.target = value
        goal.currency = spec.currency
        goal.change = spec.change
        goal.baseline = spec.baseline or ""
        goal.baseline_value = base.value if base else None
        goal.note = note.strip()
        goal.updated_at = now
        goal.save()
        GoalChange.objects.create(
            goal=goal,
            at=now,
            by_user=by,
            target=value,
            old_target=old,
            change=spec.change,
            baseline=goal.baseline,
            baseline_value=goal.baseline_value,
            note=goal.note,
        )
        transaction.on_commit(partial(goal_set.send, sender=Goal, goal=goal, created=created))
    return goal, created
