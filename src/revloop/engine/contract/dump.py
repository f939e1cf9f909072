"""Contract → plain data in the file's own shape, and back to YAML.

``parse_contract(dump_contract(c)) == c`` for every valid contract: the property
tests hold us to it. Comments are not kept; the stored version keeps the original
text for that.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import yaml

from revloop.engine.contract.conditions import Condition
from revloop.engine.contract.parse_pipeline import pipeline_checks_to_dict
from revloop.engine.contract.schema import (
    BusinessHours,
    Contract,
    EngagementRule,
    NamedCalendar,
    NumberRange,
    PipelineChecks,
    Routing,
    RoutingRule,
    Scoring,
    Sla,
)


def _number(value: float) -> int | float:
    # 20 reads better than 20.0 and parses back to the same float.
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _condition(condition: Condition) -> dict[str, Any]:
    argument = condition.argument()
    if isinstance(argument, float):
        argument = _number(argument)
    elif isinstance(argument, list):
        argument = [_number(v) if isinstance(v, float) else v for v in argument]
    elif isinstance(argument, dict):
        argument = {k: _number(v) for k, v in argument.items()}
    return {"field": condition.field, condition.operator: argument}


def _range(bounds: NumberRange) -> dict[str, Any]:
    limits = {"min": bounds.minimum, "max": bounds.maximum}
    return {key: _number(value) for key, value in limits.items() if value is not None}


def _engagement(rule: EngagementRule) -> dict[str, Any]:
    match = rule.match
    keys: dict[str, Any] = {
        "type": [t.value for t in match.types],
        "channel": [c.value for c in match.channels],
        "campaign": list(match.campaigns),
        "content_kind": [k.value for k in match.content_kinds],
        "content_id": list(match.content_ids),
        "url": match.url,
    }
    data: dict[str, Any] = {
        "id": rule.id,
        "label": rule.label,
        "match": {key: value for key, value in keys.items() if value},
        "points": _number(rule.points),
        "half_life_days": _number(rule.half_life_days),
    }
    if rule.cap is not None:
        data["cap"] = _number(rule.cap)
    return data


def _scoring(scoring: Scoring) -> dict[str, Any]:
    fit = [
        {"id": r.id, "label": r.label, **_condition(r.condition), "points": _number(r.points)}
        for r in scoring.fit
    ]
    negative = []
    for rule in scoring.negative:
        data: dict[str, Any] = {"id": rule.id, "label": rule.label, **_condition(rule.condition)}
        if rule.points:
            data["points"] = _number(rule.points)
        if rule.disqualify:
            data["disqualify"] = True
            data["reason"] = rule.reason
        negative.append(data)
    grades = scoring.grades
    return {
        "half_life_days": _number(scoring.half_life_days),
        "fit": fit,
        "grades": {
            letter: _number(value)
            for letter, value in zip("ABCD", grades.thresholds(), strict=True)
        },
        "engagement": [_engagement(rule) for rule in scoring.engagement],
        "negative": negative,
    }


def _sla(sla: Sla) -> dict[str, Any]:
    hours, sales, marketing = sla.business_hours, sla.sales, sla.marketing
    sales_data: dict[str, Any] = {
        "first_touch_within_business_hours": _number(sales.first_touch_within_business_hours),
        "attempts": {
            "count": sales.attempts,
            "within_business_days": _number(sales.attempts_within_business_days),
        },
        "accept_or_reject_within_business_hours": _number(
            sales.accept_or_reject_within_business_hours
        ),
        "on_breach": {
            "escalate_to_manager": sales.escalate_to_manager,
            "reassign": sales.reassign,
        },
    }
    if sales.remind_before_business_hours is not None:
        sales_data["remind_before_business_hours"] = _number(sales.remind_before_business_hours)
    data: dict[str, Any] = {
        "business_hours": {"timezone": hours.timezone, **_hours(hours)},
        "sales": sales_data,
        "marketing": {
            "mql_per_week": marketing.mql_per_week,
            "min_acceptance_rate": _number(marketing.min_acceptance_rate),
            "measured_over_weeks": marketing.measured_over_weeks,
        },
    }
    # Left out when empty, so contracts without them keep their digest.
    if sla.calendars:
        data["calendars"] = {calendar.name: _calendar(calendar) for calendar in sla.calendars}
    return data


def _hours(hours: BusinessHours | NamedCalendar) -> dict[str, Any]:
    data: dict[str, Any] = {
        "days": list(hours.days),
        "start": f"{hours.start:%H:%M}",
        "end": f"{hours.end:%H:%M}",
    }
    if hours.holidays:
        data["holidays"] = [day.isoformat() for day in hours.holidays]
    return data


def _calendar(calendar: NamedCalendar) -> dict[str, Any]:
    zone = {"timezone": calendar.timezone} if calendar.timezone is not None else {}
    return {**zone, **_hours(calendar)}


def _routing_rule(rule: RoutingRule) -> dict[str, Any]:
    data: dict[str, Any] = {"id": rule.id, "label": rule.label}
    if rule.account_owner:
        data["account_owner"] = True
    if rule.team is not None:
        data["team"] = rule.team
    when = rule.when
    conditions: dict[str, Any] = {
        "country": list(when.countries),
        "region": list(when.regions),
        "industry": list(when.industries),
        "tier": list(when.tiers),
        "size": _range(when.size) if when.size is not None else None,
    }
    if not when.is_empty:
        data["when"] = {key: value for key, value in conditions.items() if value}
    return data


def _routing(routing: Routing) -> dict[str, Any]:
    teams: dict[str, Any] = {}
    for team in routing.teams:
        members = []
        for member in team.members:
            data: dict[str, Any] = {"user": member.user, "weight": _number(member.weight)}
            if member.capacity is not None:
                data["capacity"] = member.capacity
            members.append(data)
        teams[team.name] = {"members": members}
    return {"rules": [_routing_rule(rule) for rule in routing.rules], "teams": teams}


def contract_to_dict(contract: Contract) -> dict[str, Any]:
    """The contract as plain JSON-ready data, shaped exactly like the YAML file."""
    transitions = []
    for edge in contract.transitions:
        data: dict[str, Any] = {
            "from": edge.source.value,
            "to": edge.target.value,
            "by": list(edge.actors),
        }
        if edge.reason is not None:
            data["reason"] = edge.reason.value
        transitions.append(data)
    mql = contract.mql
    thresholds = {
        "min_engagement": mql.min_engagement,
        "min_fit": mql.min_fit,
        "min_total": mql.min_total,
    }
    result: dict[str, Any] = {"format": contract.format, "name": contract.name}
    if contract.description:
        result["description"] = contract.description
    result |= {
        "actors": {a.name: [r.value for r in a.roles] for a in contract.actors},
        "stages": [s.value for s in contract.stages],
        "transitions": transitions,
        "reasons": {
            kind: {r.code: r.label for r in getattr(contract.reasons, kind)}
            for kind in ("reject", "disqualify", "lost")
        },
        "scoring": _scoring(contract.scoring),
        "mql": {
            **{key: _number(value) for key, value in thresholds.items() if value is not None},
            **({"min_grade": mql.min_grade} if mql.min_grade is not None else {}),
            "from": [s.value for s in mql.from_stages],
        },
        "recycle": {
            "no_touch_days": _number(contract.recycle.no_touch_days),
            "from": [s.value for s in contract.recycle.from_stages],
        },
        "sla": _sla(contract.sla),
        "routing": _routing(contract.routing),
    }
    # Only when it differs from the defaults: a contract that leaves the section out
    # means the same as one that spells the defaults out, and keeps its digest.
    if contract.pipeline_checks != PipelineChecks():
        result["pipeline_checks"] = pipeline_checks_to_dict(contract.pipeline_checks)
    return result


def dump_contract(contract: Contract) -> str:
    """YAML text that parses back to an equal contract (comments are not kept)."""
    return yaml.safe_dump(
        contract_to_dict(contract), sort_keys=False, allow_unicode=True, width=100
    )


def contract_digest(contract: Contract) -> str:
    """A fingerprint of what the contract means, blind to comments, layout and key order;
    two files with the same digest score, route and move leads identically."""
    canonical = json.dumps(contract_to_dict(contract), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
