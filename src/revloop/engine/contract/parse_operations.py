"""The operations sections: SLA terms of both teams and routing rules.

The routing and SLA issue executes these; here we only make sure that what both
teams signed is complete and means something.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from revloop.engine.contract.loader import YNode, child
from revloop.engine.contract.parse_scoring import parse_range
from revloop.engine.contract.reader import Reader
from revloop.engine.contract.schema import (
    BusinessHours,
    MarketingSla,
    NamedCalendar,
    Routing,
    RoutingRule,
    SalesSla,
    Segment,
    Sla,
    Team,
    TeamMember,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIERS = ("1", "2", "3")


def parse_sla(read: Reader, node: YNode, path: str) -> Sla | None:
    items = read.mapping(
        node, path, required=("business_hours", "sales", "marketing"), optional=("calendars",)
    )
    if items is None:
        return None
    calendars: tuple[NamedCalendar, ...] | None = ()
    if "calendars" in items:
        calendars = _calendars(read, items["calendars"], child(path, "calendars"))
    hours = (
        _business_hours(read, items["business_hours"], child(path, "business_hours"))
        if "business_hours" in items
        else None
    )
    sales = _sales(read, items["sales"], child(path, "sales")) if "sales" in items else None
    marketing = (
        _marketing(read, items["marketing"], child(path, "marketing"))
        if "marketing" in items
        else None
    )
    if hours is None or sales is None or marketing is None or calendars is None:
        return None
    return Sla(hours, sales, marketing, calendars)


_HOURS = ("days", "start", "end")


def _business_hours(read: Reader, node: YNode, path: str) -> BusinessHours | None:
    items = read.mapping(node, path, required=("timezone", *_HOURS), optional=("holidays",))
    if items is None or "timezone" not in items:
        return None
    zone = _timezone(read, items["timezone"], child(path, "timezone"))
    hours = _hours(read, items, node, path)
    if zone is None or hours is None:
        return None
    return BusinessHours(zone, *hours)


def _hours(
    read: Reader, items: dict[str, YNode], node: YNode, path: str
) -> tuple[tuple[str, ...], dt.time, dt.time, tuple[dt.date, ...]] | None:
    """Working days, opening, closing and holidays shared by every calendar."""
    if not set(_HOURS) <= items.keys():
        return None
    days = read.texts(items["days"], child(path, "days"), options=WEEKDAYS)
    start = _clock(read, items["start"], child(path, "start"))
    end = _clock(read, items["end"], child(path, "end"))
    holidays = (
        _holidays(read, items["holidays"], child(path, "holidays")) if "holidays" in items else ()
    )
    if start is not None and end is not None and not start < end:
        read.error(items["end"].line, child(path, "end"), f"must be after start ({start:%H:%M})")
        return None
    if days is None or start is None or end is None or holidays is None:
        return None
    ordered = tuple(day for day in WEEKDAYS if day in days)
    return ordered, start, end, holidays


def _holidays(read: Reader, node: YNode, path: str) -> tuple[dt.date, ...] | None:
    entries = read.sequence(node, path)
    if entries is None:
        return None
    dates: list[tuple[dt.date, int, str]] = []
    for i, entry in enumerate(entries):
        item_path = child(path, i)
        text = read.text(entry, item_path, pattern=DATE, hint="a date like 2026-12-24")
        if text is None:
            continue
        try:
            dates.append((dt.date.fromisoformat(text), entry.line, item_path))
        except ValueError:
            read.error(entry.line, item_path, f"{text!r} is not a date on the calendar")
    before = len(read.errors)
    read.unique([(day.isoformat(), line, item) for day, line, item in dates], "holiday")
    if len(read.errors) != before or len(dates) != len(entries):
        return None
    return tuple(sorted(day for day, _line, _path in dates))


def _calendars(read: Reader, node: YNode, path: str) -> tuple[NamedCalendar, ...] | None:
    entries = read.named_entries(node, path)
    if entries is None:
        return None
    calendars = [
        _calendar(read, name, line, value, child(path, name)) for name, line, value in entries
    ]
    parsed = [calendar for calendar in calendars if calendar is not None]
    return tuple(parsed) if len(parsed) == len(calendars) else None


def _calendar(read: Reader, name: str, line: int, node: YNode, path: str) -> NamedCalendar | None:
    if name == "default":
        read.error(line, path, "'default' is the business hours' name; choose another")
        return None
    items = read.mapping(node, path, required=_HOURS, optional=("timezone", "holidays"))
    if items is None:
        return None
    zone = (
        _timezone(read, items["timezone"], child(path, "timezone")) if "timezone" in items else None
    )
    hours = _hours(read, items, node, path)
    if hours is None or ("timezone" in items and zone is None):
        return None
    return NamedCalendar(name, *hours, timezone=zone)


def _timezone(read: Reader, node: YNode, path: str) -> str | None:
    name = read.text(node, path)
    if name is None:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        read.error(
            node.line, path, f"unknown time zone {name!r} (use an IANA name like Europe/Berlin)"
        )
        return None
    return name


def _clock(read: Reader, node: YNode, path: str) -> dt.time | None:
    # Raw text: YAML 1.1 reads an unquoted 17:00 as the number 1020.
    text = read.text(node, path, pattern=CLOCK, hint='a time of day like "09:00"')
    if text is None:
        return None
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def _sales(read: Reader, node: YNode, path: str) -> SalesSla | None:
    required = (
        "first_touch_within_business_hours",
        "attempts",
        "accept_or_reject_within_business_hours",
    )
    items = read.mapping(
        node, path, required=required, optional=("remind_before_business_hours", "on_breach")
    )
    if items is None or not set(required) <= items.keys():
        return None
    first = read.number(items[required[0]], child(path, required[0]), gt=0)
    decide = read.number(items[required[2]], child(path, required[2]), gt=0)
    attempts = _attempts(read, items["attempts"], child(path, "attempts"))
    remind = (
        read.number(
            items["remind_before_business_hours"], child(path, "remind_before_business_hours"), ge=0
        )
        if "remind_before_business_hours" in items
        else None
    )
    breach = (
        _on_breach(read, items["on_breach"], child(path, "on_breach"))
        if "on_breach" in items
        else (True, False)
    )
    if first is None or decide is None or attempts is None or breach is None:
        return None
    if "remind_before_business_hours" in items and remind is None:
        return None
    if remind is not None and not remind < first:
        read.error(
            items["remind_before_business_hours"].line,
            child(path, "remind_before_business_hours"),
            f"must be less than first_touch_within_business_hours ({first:g})",
        )
        return None
    return SalesSla(first, attempts[0], attempts[1], decide, remind, *breach)


def _attempts(read: Reader, node: YNode, path: str) -> tuple[int, float] | None:
    items = read.mapping(node, path, required=("count", "within_business_days"))
    if items is None or len(items) != 2:
        return None
    count = read.integer(items["count"], child(path, "count"), ge=1)
    days = read.number(items["within_business_days"], child(path, "within_business_days"), gt=0)
    return None if count is None or days is None else (count, days)


def _on_breach(read: Reader, node: YNode, path: str) -> tuple[bool, bool] | None:
    items = read.mapping(node, path, optional=("escalate_to_manager", "reassign"))
    if items is None:
        return None
    escalate = (
        read.boolean(items["escalate_to_manager"], child(path, "escalate_to_manager"))
        if "escalate_to_manager" in items
        else True
    )
    reassign = (
        read.boolean(items["reassign"], child(path, "reassign")) if "reassign" in items else False
    )
    return None if escalate is None or reassign is None else (escalate, reassign)


def _marketing(read: Reader, node: YNode, path: str) -> MarketingSla | None:
    required = ("mql_per_week", "min_acceptance_rate")
    items = read.mapping(node, path, required=required, optional=("measured_over_weeks",))
    if items is None or not set(required) <= items.keys():
        return None
    volume = read.integer(items["mql_per_week"], child(path, "mql_per_week"), ge=0)
    rate = read.number(items["min_acceptance_rate"], child(path, "min_acceptance_rate"), ge=0, le=1)
    weeks = (
        read.integer(items["measured_over_weeks"], child(path, "measured_over_weeks"), ge=1)
        if "measured_over_weeks" in items
        else 4
    )
    if volume is None or rate is None or weeks is None:
        return None
    return MarketingSla(volume, rate, weeks)


def parse_routing(read: Reader, node: YNode, path: str) -> Routing | None:
    items = read.mapping(node, path, required=("rules", "teams"))
    if items is None or len(items) != 2:
        return None
    teams = _teams(read, items["teams"], child(path, "teams"))
    rules = _routing_rules(read, items["rules"], child(path, "rules"), teams)
    return None if teams is None or rules is None else Routing(rules, teams)


def _teams(read: Reader, node: YNode, path: str) -> tuple[Team, ...] | None:
    entries = read.named_entries(node, path)
    if entries is None:
        return None
    if not entries:
        read.error(node.line, path, "must define at least one team")
        return None
    teams = [_team(read, name, value, child(path, name)) for name, _line, value in entries]
    parsed = [team for team in teams if team is not None]
    return tuple(parsed) if len(parsed) == len(teams) else None


def _team(read: Reader, name: str, node: YNode, path: str) -> Team | None:
    items = read.mapping(node, path, required=("members",))
    if items is None or "members" not in items:
        return None
    members_path = child(path, "members")
    entries = read.sequence(items["members"], members_path, non_empty=True)
    if entries is None:
        return None
    members = [_member(read, entry, child(members_path, i)) for i, entry in enumerate(entries)]
    parsed = [member for member in members if member is not None]
    if len(parsed) != len(members):
        return None
    before = len(read.errors)
    read.unique(
        [
            (m.user, e.line, child(members_path, i))
            for i, (m, e) in enumerate(zip(parsed, entries, strict=True))
        ],
        "team member",
    )
    return Team(name, tuple(parsed)) if len(read.errors) == before else None


def _member(read: Reader, node: YNode, path: str) -> TeamMember | None:
    items = read.mapping(node, path, required=("user",), optional=("weight", "capacity"))
    if items is None or "user" not in items:
        return None
    user = read.text(items["user"], child(path, "user"))
    weight = (
        read.number(items["weight"], child(path, "weight"), gt=0, le=1000)
        if "weight" in items
        else 1.0
    )
    capacity = (
        read.integer(items["capacity"], child(path, "capacity"), ge=1)
        if "capacity" in items
        else None
    )
    if user is None or weight is None or ("capacity" in items and capacity is None):
        return None
    return TeamMember(user, weight, capacity)


def _routing_rules(
    read: Reader, node: YNode, path: str, teams: tuple[Team, ...] | None
) -> tuple[RoutingRule, ...] | None:
    entries = read.sequence(node, path, non_empty=True)
    if entries is None:
        return None
    team_names = tuple(team.name for team in teams) if teams is not None else None
    rules = [
        _routing_rule(read, entry, child(path, i), team_names) for i, entry in enumerate(entries)
    ]
    parsed = [rule for rule in rules if rule is not None]
    read.unique(
        [
            (rule.id, entry.line, child(path, i))
            for i, (rule, entry) in enumerate(zip(rules, entries, strict=True))
            if rule
        ],
        "routing rule id",
    )
    if len(parsed) != len(rules):
        return None
    last = parsed[-1]
    if last.team is None or not last.when.is_empty:
        read.error(
            entries[-1].line,
            child(path, len(entries) - 1),
            "the last rule must send to a team with no 'when', so that no MQL is left unrouted",
        )
        return None
    return tuple(parsed)


def _routing_rule(
    read: Reader, node: YNode, path: str, team_names: tuple[str, ...] | None
) -> RoutingRule | None:
    items = read.mapping(
        node, path, required=("id",), optional=("label", "account_owner", "team", "when")
    )
    if items is None or "id" not in items:
        return None
    rule_id = read.name(items["id"], child(path, "id"))
    label = read.text(items["label"], child(path, "label")) if "label" in items else rule_id
    owner = (
        read.boolean(items["account_owner"], child(path, "account_owner"))
        if "account_owner" in items
        else False
    )
    team = None
    if "team" in items:
        team_path = child(path, "team")
        team = (
            read.choice(items["team"], team_path, team_names)
            if team_names is not None
            else read.name(items["team"], team_path)
        )
    if owner is False and "account_owner" in items:
        read.error(
            items["account_owner"].line,
            child(path, "account_owner"),
            "must be true (leave it out otherwise)",
        )
        return None
    if ("team" in items) == bool(owner):
        read.error(node.line, path, "needs exactly one of 'account_owner: true' or 'team'")
        return None
    when = _when(read, items["when"], child(path, "when")) if "when" in items else Segment()
    if (
        rule_id is None
        or label is None
        or owner is None
        or when is None
        or ("team" in items and team is None)
    ):
        return None
    return RoutingRule(rule_id, label, account_owner=owner, team=team, when=when)


def _when(read: Reader, node: YNode, path: str) -> Segment | None:
    items = read.mapping(node, path, optional=("country", "region", "industry", "tier", "size"))
    if items is None:
        return None
    if not items:
        read.error(node.line, path, "needs at least one of country, region, industry, tier, size")
        return None

    def at(key: str) -> tuple[YNode, str]:
        return items[key], child(path, key)

    countries = (
        read.texts(*at("country"), pattern=COUNTRY, hint="ISO codes like DE")
        if "country" in items
        else ()
    )
    regions = read.texts(*at("region")) if "region" in items else ()
    industries = read.texts(*at("industry")) if "industry" in items else ()
    tiers = read.texts(*at("tier"), options=TIERS) if "tier" in items else ()
    size = parse_range(read, items["size"], child(path, "size")) if "size" in items else None
    if countries is None or regions is None or industries is None or tiers is None:
        return None
    if "size" in items and size is None:
        return None
    return Segment(countries, regions, industries, tiers, size)
