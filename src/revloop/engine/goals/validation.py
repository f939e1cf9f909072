"""Is a goal SMART? Specific (whose, which metric), measurable (a target in the metric's
unit), time-bound (a period that has not ended). A goal that is not is refused with every
reason at once, each naming the field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from revloop.engine.goals.catalogue import METRICS, Metric, Team, metric_named
from revloop.engine.goals.periods import Period, PeriodError, parse_period

Baseline = Literal["previous", "last_year"]
BASELINES: tuple[Baseline, ...] = ("previous", "last_year")

_RELATIVE = re.compile(r"^([+-])\s*(\d+(?:\.\d+)?)\s*%$")
_CURRENCY = re.compile(
    r"^(?:([A-Za-z]{3})\s*)?([$€£])?\s*([\d,]+(?:\.\d+)?)\s*([kKmM])?\s*([A-Za-z]{3})?$"
)
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
_DAYS = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:d|days?)?$", re.IGNORECASE)


class GoalRefused(ValueError):  # noqa: N818 - reads as "the goal was refused"
    """The goal is not SMART; ``reasons`` say why, one per problem."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("goal refused: " + "; ".join(reasons))
        self.reasons = tuple(reasons)


@dataclass(frozen=True, slots=True)
class GoalSpec:
    """A valid goal. Exactly one of ``target`` (absolute, in the metric's unit: a count,
    an amount of ``currency``, a share 0..1 or days) and ``change`` (relative to
    ``baseline``, e.g. 0.10 for +10%) is set."""

    team: Team
    group: str
    metric: Metric
    period: Period
    target: Decimal | None
    change: Decimal | None
    baseline: Baseline | None
    currency: str

    def with_target(self, baseline_value: Decimal | None) -> Decimal:
        """The absolute target: ``target``, or ``change`` applied to the baseline's value."""
        if self.target is not None:
            return self.target
        assert self.change is not None
        where = (
            "the previous period" if self.baseline == "previous" else "the same period last year"
        )
        label = self.metric.label.lower()
        if baseline_value is None:
            problem = f"target: {where} has no {label} to compare with; give an absolute target"
            raise GoalRefused([problem])
        if self.metric.cumulative and baseline_value <= 0:
            problem = (
                f"target: {where} had no {label}, so a relative target means nothing; "
                "give an absolute target"
            )
            raise GoalRefused([problem])
        value = baseline_value * (1 + self.change)
        if self.metric.kind == "rate":
            value = min(value, Decimal(1))
        places = {"count": Decimal(1), "rate": Decimal("0.0001")}.get(
            self.metric.kind, Decimal("0.01")
        )
        return value.quantize(places, rounding=ROUND_HALF_UP)


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _rate_target(text: str) -> tuple[Decimal | None, str | None]:
    share = _number(text.removesuffix("%").strip())
    if share is not None and text.endswith("%"):
        share /= 100
    if share is None:
        return None, f"target: {text!r} is not a share (write 45% or 0.45)"
    if not 0 < share <= 1:
        return None, f"target: {text!r} must be above 0% and at most 100%"
    return share, None


def _days_target(text: str) -> tuple[Decimal | None, str | None]:
    match = _DAYS.match(text)
    days = _number(match[1]) if match else None
    if days is None or days <= 0:
        return None, f"target: {text!r} is not a number of days above 0"
    return days, None


def _count_target(text: str) -> tuple[Decimal | None, str | None]:
    count = _number(text)
    if count is None or count <= 0 or count != count.to_integral_value():
        return None, f"target: {text!r} is not a whole number above 0"
    return count, None


def _money_target(text: str, currency: str) -> tuple[Decimal | None, str, str | None]:
    match = _CURRENCY.match(text)
    amount = _number(match[3]) if match else None
    if match is None or amount is None:
        return None, currency, f"target: {text!r} is not an amount (write 30000 or USD 30,000)"
    code = (match[1] or match[5] or _SYMBOLS.get(match[2] or "", "") or currency).upper()
    amount *= {"k": 1000, "m": 1_000_000}.get((match[4] or "").lower(), 1)
    if amount <= 0:
        return None, code, f"target: {text!r} must be above 0"
    if currency and code != currency:
        return None, code, f"currency: the target says {code} but the goal's currency is {currency}"
    return amount.quantize(Decimal("0.01")), code, None


def _absolute(metric: Metric, text: str, currency: str) -> tuple[Decimal | None, str, str | None]:
    """(target, currency, reason when it cannot be read)."""
    if metric.kind == "money":
        return _money_target(text, currency)
    read = {"rate": _rate_target, "mean": _days_target, "count": _count_target}[metric.kind]
    value, problem = read(text)
    return value, currency, problem


def _whose(
    team: str, group: str, metric: str, reasons: list[str]
) -> tuple[Team | None, Metric | None]:
    """Specific: whose goal, and which metric of the catalogue."""
    who: Team | None = None
    try:
        who = Team(team.strip().lower())
    except ValueError:
        reasons.append(f"team: {team!r} is not marketing, sales or group")
    if who is Team.GROUP and not group:
        reasons.append("group: name the group of reps the goal is for")
    if who is not None and who is not Team.GROUP and group:
        reasons.append(f"group: only a goal of team 'group' names a group (got {group!r})")
    found = metric_named(metric)
    if found is None:
        reasons.append(f"metric: {metric!r} is not in the catalogue ({', '.join(METRICS)})")
    elif who is not None and who not in found.teams:
        owners = " or ".join(sorted(t.value for t in found.teams))
        reasons.append(f"metric: {found.label} is a goal for {owners}, not {who.value}")
    return who, found


def _when(period: str | Period, today: date, reasons: list[str]) -> Period | None:
    """Time-bound: a period that is read and has not ended yet."""
    when: Period | None = None
    if isinstance(period, Period):
        when = period
    elif not period.strip():
        reasons.append("period: a goal needs a period (e.g. 2027-Q1)")
    else:
        try:
            when = parse_period(period, today)
        except PeriodError as exc:
            reasons.append(str(exc))
    if when is not None and when.end <= today:
        reasons.append(f"period: {when.label} has already ended; a goal looks ahead")
    return when


def _relative(text: str, baseline: str | None, reasons: list[str]) -> tuple[Decimal, Baseline]:
    match = _RELATIVE.match(text)
    assert match is not None
    change = Decimal(match[2]) / 100 * (-1 if match[1] == "-" else 1)
    chosen = (baseline or "previous").strip().replace("-", "_")
    if chosen not in BASELINES:
        reasons.append(f"baseline: {baseline!r} is not previous or last_year")
    if change <= -1:
        reasons.append(f"target: {text} would leave nothing")
    if change == 0:
        reasons.append("target: +0% is no goal; name a change or an absolute target")
    return change, chosen  # type: ignore[return-value]


def check_goal(
    *,
    team: str,
    metric: str,
    period: str | Period,
    target: str,
    today: date,
    group: str = "",
    baseline: str | None = None,
    currency: str = "",
) -> GoalSpec:
    """A :class:`GoalSpec`, or :class:`GoalRefused` with every reason it is not SMART."""
    reasons: list[str] = []
    group = group.strip()
    currency = currency.strip().upper()
    who, found = _whose(team, group, metric, reasons)
    when = _when(period, today, reasons)
    # Measurable: a target in the metric's unit, or a change against a named baseline.
    absolute: Decimal | None = None
    change: Decimal | None = None
    chosen: Baseline | None = None
    text = target.strip()
    if not text:
        reasons.append("target: a goal needs a target (e.g. 1200, USD 30000, 45% or +10%)")
    elif _RELATIVE.match(text):
        change, chosen = _relative(text, baseline, reasons)
    elif found is not None:
        if baseline:
            reasons.append("baseline: only a relative target (+10%) has a baseline")
        absolute, currency, problem = _absolute(found, text, currency)
        if problem:
            reasons.append(problem)
    if found is not None and found.kind == "money" and not currency:
        reasons.append("currency: name the target's currency (e.g. USD)")
    if reasons or who is None or found is None or when is None:
        raise GoalRefused(reasons)
    return GoalSpec(
        team=who,
        group=group,
        metric=found,
        period=when,
        target=absolute,
        change=change,
        baseline=chosen,
        currency=currency if found.kind == "money" else "",
    )
