"""Holidays and named calendars in the contract's ``sla`` section."""

from __future__ import annotations

import datetime as dt

from revloop.engine.contract import (
    check_contract,
    default_contract_text,
    diff_contracts,
    dump_contract,
    parse_contract,
)
from revloop.engine.sla import BusinessCalendar

DEFAULT = default_contract_text()
HOURS = """    start: "09:00"
    end: "17:00"
"""


def with_sla(extra_hours: str = "", calendars: str = "") -> str:
    assert DEFAULT.count(HOURS) == 1
    text = DEFAULT.replace(HOURS, HOURS + extra_hours, 1)
    return text.replace("  sales:\n", calendars + "  sales:\n", 1) if calendars else text


def errors_of(text: str) -> list[str]:
    contract, errors = check_contract(text)
    assert contract is None
    return [str(error) for error in errors]


def line_of(text: str, fragment: str) -> int:
    return text.count("\n", 0, text.index(fragment)) + 1


GERMANY = """  calendars:
    germany:
      timezone: Europe/Berlin
      days: [mon, tue, wed, thu, fri]
      start: "08:00"
      end: "16:00"
      holidays: [2026-10-03, "2026-12-25"]
    weekend_desk: {days: [sat, sun], start: "10:00", end: "14:00"}
"""


def test_the_default_contract_has_no_holidays_and_no_calendars() -> None:
    """Monday to Friday 09:00-17:00, nothing closed: the documented default."""
    sla = parse_contract(DEFAULT).sla
    assert sla.business_hours.holidays == ()
    assert sla.calendars == ()


def test_holidays_and_calendars_are_read_sorted_and_round_trip() -> None:
    """Holidays come back as sorted dates; calendars keep their zone or none; dumping
    and reading again gives the same contract."""
    text = with_sla("    holidays: [2026-12-25, 2026-12-24]\n", GERMANY)
    contract = parse_contract(text)
    sla = contract.sla
    assert sla.business_hours.holidays == (dt.date(2026, 12, 24), dt.date(2026, 12, 25))
    germany = sla.calendar("germany")
    assert germany is not None
    assert germany.timezone == "Europe/Berlin"
    assert germany.holidays == (dt.date(2026, 10, 3), dt.date(2026, 12, 25))
    desk = sla.calendar("weekend_desk")
    assert desk is not None
    assert (desk.timezone, desk.days, desk.start) == (None, ("sat", "sun"), dt.time(10))
    assert parse_contract(dump_contract(contract)) == contract


def test_calendars_become_business_calendars() -> None:
    """A named calendar keeps its own zone unless the rep's is given; one without a
    zone runs in the business hours' zone."""
    sla = parse_contract(with_sla("    holidays: [2026-12-24]\n", GERMANY)).sla
    default = BusinessCalendar.from_contract(sla)
    assert default.holidays == frozenset({dt.date(2026, 12, 24)})
    germany = BusinessCalendar.from_contract(sla, calendar="germany")
    assert (germany.name, germany.time_zone, germany.opens) == (
        "germany",
        "Europe/Berlin",
        dt.time(8),
    )
    assert BusinessCalendar.from_contract(sla, calendar="germany", time_zone="UTC").time_zone == (
        "UTC"
    )
    desk = BusinessCalendar.from_contract(sla, calendar="weekend_desk")
    assert desk.time_zone == sla.business_hours.timezone
    assert desk.days == frozenset({5, 6})


def test_a_new_holiday_shows_in_the_diff() -> None:
    """Adding a holiday is a visible change between contract versions."""
    old = parse_contract(DEFAULT)
    new = parse_contract(with_sla("    holidays: [2026-12-24]\n"))
    rendered = diff_contracts(old, new).render()
    assert "sla.business_hours.holidays" in rendered


def test_impossible_and_repeated_holidays_are_named_by_line() -> None:
    """A date that is not on the calendar, text that is not a date and a holiday given
    twice are each reported at their own line and key path."""
    text = with_sla(
        "    holidays:\n      - 2026-02-30\n      - christmas\n      - 2026-12-24\n"
        "      - 2026-12-24\n"
    )
    errors = errors_of(text)
    first = line_of(text, "2026-02-30")
    assert len(errors) == 3
    assert errors[0].startswith(f"contract.yaml:{first} sla.business_hours.holidays[0]:")
    assert errors[1] == (
        f"contract.yaml:{first + 1} sla.business_hours.holidays[1]: 'christmas' is not valid: "
        "use a date like 2026-12-24"
    )
    assert errors[2] == (
        f"contract.yaml:{first + 3} sla.business_hours.holidays[3]: duplicate holiday "
        f"'2026-12-24' (first at line {first + 2})"
    )


def test_calendar_mistakes_are_named_by_line_and_key() -> None:
    """An unknown key, an unknown zone, closing before opening, and the reserved name
    'default' are each reported where they are."""
    calendars = """  calendars:
    default: {days: [mon], start: "09:00", end: "17:00"}
    night: {days: [mon], start: "22:00", end: "06:00", timezone: Mars/Olympus}
    typo: {days: [mon], start: "09:00", end: "17:00", holiday: [2026-01-01]}
"""
    text = with_sla(calendars=calendars)
    errors = errors_of(text)
    default, night, typo = (line_of(text, f"    {name}:") for name in ("default", "night", "typo"))
    assert errors == [
        (
            f"contract.yaml:{default} sla.calendars.default: 'default' is the business hours' "
            "name; choose another"
        ),
        f"contract.yaml:{night} sla.calendars.night.end: must be after start (22:00)",
        (
            f"contract.yaml:{night} sla.calendars.night.timezone: unknown time zone "
            "'Mars/Olympus' (use an IANA name like Europe/Berlin)"
        ),
        f"contract.yaml:{typo} sla.calendars.typo.holiday: unknown key; did you mean 'holidays'?",
    ]
