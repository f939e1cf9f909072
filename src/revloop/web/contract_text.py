"""A contract version in plain sentences and small tables: what the pages show of the YAML.

Every number comes from the parsed contract (never from the YAML text), so what the page
says is what scoring, routing and the SLA clocks do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from revloop.engine.contract import Contract
from revloop.engine.contract.schema import EngagementRule, RoutingRule, TouchMatch


@dataclass(frozen=True)
class Line:
    label: str
    rule: str
    points: str


def _n(value: float) -> str:
    return f"{value:g}"


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "") + _n(value)


def _touches(match: TouchMatch) -> str:
    parts = []
    if match.types:
        parts.append("type " + " or ".join(t.value.replace("_", " ") for t in match.types))
    if match.channels:
        parts.append("channel " + " or ".join(c.value for c in match.channels))
    if match.campaigns:
        parts.append("campaign " + " or ".join(match.campaigns))
    if match.content_kinds:
        parts.append(
            "content " + " or ".join(k.value.replace("_", " ") for k in match.content_kinds)
        )
    if match.content_ids:
        parts.append("content id " + " or ".join(str(i) for i in match.content_ids))
    if match.url:
        parts.append(f"page {match.url}")
    return "every touch" if not parts else "touches with " + ", ".join(parts)


def _engagement(rule: EngagementRule) -> Line:
    cap = f", at most {_n(rule.cap)} in all" if rule.cap is not None else ""
    return Line(
        rule.label,
        f"{_touches(rule.match)}; halves every {_n(rule.half_life_days)} days{cap}",
        f"{_signed(rule.points)} each",
    )


def _routing(rule: RoutingRule) -> str:
    when = rule.when
    parts = []
    if when.countries:
        parts.append("country " + " or ".join(when.countries))
    if when.regions:
        parts.append("region " + " or ".join(when.regions))
    if when.industries:
        parts.append("industry " + " or ".join(when.industries))
    if when.tiers:
        parts.append("tier " + " or ".join(when.tiers))
    if when.size is not None:
        low, high = when.size.minimum, when.size.maximum
        size = "employees"
        if low is not None:
            size = f"{_n(low)} ≤ {size}"
        if high is not None:
            size += f" < {_n(high)}"
        parts.append(size)
    where = f"when {', '.join(parts)}" if parts else "for every lead"
    if rule.account_owner:
        return f"{where}: the account's owner (or the owner of an open deal on it)"
    return f"{where}: team {rule.team}, in weighted turns"


def readable(contract: Contract) -> dict[str, Any]:
    """The contract's rules, weights, thresholds and SLAs, as the pages list them."""
    scoring, mql, sla = contract.scoring, contract.mql, contract.sla
    thresholds = []
    if mql.min_total is not None:
        thresholds.append(f"score at least {_n(mql.min_total)}")
    if mql.min_fit is not None:
        thresholds.append(f"fit at least {_n(mql.min_fit)}")
    if mql.min_engagement is not None:
        thresholds.append(f"engagement at least {_n(mql.min_engagement)}")
    if mql.min_grade is not None:
        thresholds.append(f"fit grade {mql.min_grade} or better")
    hours = sla.business_hours
    sales, marketing = sla.sales, sla.marketing
    return {
        "name": contract.name,
        "description": contract.description,
        "fit": [Line(r.label, r.condition.describe(), _signed(r.points)) for r in scoring.fit],
        "grades": list(zip("ABCD", (_n(t) for t in scoring.grades.thresholds()), strict=True)),
        "engagement": [_engagement(r) for r in scoring.engagement],
        "negative": [
            Line(
                r.label,
                r.condition.describe(),
                ("disqualifies" + (f" ({r.reason})" if r.reason else ""))
                if r.disqualify
                else _signed(r.points),
            )
            for r in scoring.negative
        ],
        "mql": (
            "A lead in "
            + " or ".join(s.label for s in mql.from_stages)
            + " becomes an MQL when "
            + (" and ".join(thresholds) or "no threshold is set")
            + ", and no negative rule disqualifies them."
        ),
        "recycle": (
            f"An MQL or SAL with no touch for {_n(contract.recycle.no_touch_days)} days goes back"
            " to nurture."
        ),
        "sales_sla": [
            f"First touch within {_n(sales.first_touch_within_business_hours)} business hours.",
            (
                f"{sales.attempts} attempts within {_n(sales.attempts_within_business_days)}"
                " business days."
            ),
            (
                f"Accept or reject within {_n(sales.accept_or_reject_within_business_hours)}"
                " business hours."
            ),
            "A breach escalates to the rep's manager."
            if sales.escalate_to_manager
            else "A breach is recorded, not escalated.",
            *(["A breached lead is re-assigned."] if sales.reassign else []),
        ],
        "marketing_sla": [
            f"At least {marketing.mql_per_week} MQLs a week.",
            (
                f"At least {marketing.min_acceptance_rate:.0%} of them accepted by Sales,"
                f" measured over {marketing.measured_over_weeks} weeks."
            ),
        ],
        "business_hours": (
            f"{', '.join(hours.days)} {hours.start:%H:%M} to {hours.end:%H:%M}, in each rep's own"
            f" time zone ({hours.timezone} for reps without one)"
        ),
        "routing": [(r.label, _routing(r)) for r in contract.routing.rules],
        "teams": [
            (
                team.name,
                ", ".join(
                    m.user
                    + (f" (weight {_n(m.weight)})" if m.weight != 1 else "")
                    + (f" (max {m.capacity})" if m.capacity is not None else "")
                    for m in team.members
                ),
            )
            for team in contract.routing.teams
        ],
        "reasons": {
            "reject": [r.label for r in contract.reasons.reject],
            "disqualify": [r.label for r in contract.reasons.disqualify],
            "lost": [r.label for r in contract.reasons.lost],
        },
    }
