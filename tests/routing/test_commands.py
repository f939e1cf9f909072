"""`revloop sla`, `revloop route` and `revloop rep away` from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from revloop.contracts.actions import do_approve_contract, do_propose_contract
from revloop.people.models import Person
from revloop.routing.models import RepAbsence
from revloop.users.models import User
from tests.contract_helpers import contract_text

from .conftest import BERLIN_MORNING


def _json(*args: str) -> Any:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_deadline_across_the_spring_clock_change(db: None) -> None:
    """Friday 16:00 in New York plus 4 business hours: one hour on Friday, three on
    Monday after the clocks went forward on Sunday (UTC-5 became UTC-4)."""
    result = _json(
        "sla", "deadline", "--start", "2026-03-06T16:00:00-05:00", "--hours", "4",
        "--tz", "America/New_York",
    )  # fmt: skip
    assert result["deadline"] == "2026-03-09T12:00:00-04:00"
    assert result["deadline_utc"] == "2026-03-09T16:00:00+00:00"
    assert result["calendar"] == "default"


def test_a_deadline_across_the_autumn_clock_change_in_berlin(db: None) -> None:
    """Friday 15:00 in Berlin plus 3 business hours ends Monday 10:00 CET, after the
    clocks went back on Sunday; the wall clock shows the hour it gained."""
    result = _json(
        "sla", "deadline", "--start", "2026-10-23T13:00:00Z", "--hours", "3",
        "--tz", "Europe/Berlin",
    )  # fmt: skip
    assert result["start"] == "2026-10-23T15:00:00+02:00"
    assert result["deadline"] == "2026-10-26T10:00:00+01:00"
    assert result["wall_clock_hours"] == 68.0


def test_a_deadline_needs_a_zone_on_the_start(db: None) -> None:
    with pytest.raises(CommandError, match="zone offset"):
        call_command(
            "sla", "deadline", "--start", "2026-03-06T16:00", "--hours", "4", "--tz", "UTC"
        )


def test_an_unknown_calendar_is_named_in_the_error(db: None) -> None:
    with pytest.raises(CommandError, match="unknown calendar 'support'"):
        call_command(
            "sla", "deadline", "--start", "2026-03-06T16:00Z", "--hours", "4", "--tz", "UTC",
            "--calendar", "support",
        )  # fmt: skip


def test_route_all_unassigned_as_json(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    for _ in range(3):
        make_mql(region="EMEA")
    with time_machine.travel(BERLIN_MORNING, tick=False):
        result = _json("route", "--all-unassigned")
    assert result["assigned"] == 3
    assert result["by_rule"] == {"emea": 3}


def test_sla_status_shows_both_teams(
    team: dict[str, User], make_mql: Callable[..., Person]
) -> None:
    with time_machine.travel(BERLIN_MORNING, tick=False):
        result = _json("sla", "status")
    assert result["week_start"] == "2026-03-02"
    assert set(result) >= {"sales", "marketing"}
    assert result["marketing"]["mql_target"] == 35


def test_a_rep_marks_themselves_away(team: dict[str, User], act_as: Callable[[str], User]) -> None:
    act_as("lena")
    result = _json("rep", "away", "lena", "--from", "2026-03-02", "--to", "2026-03-06")
    assert result["from"] == "2026-03-02"
    absence = RepAbsence.objects.get(user=team["lena"])
    assert (absence.starts, absence.ends) == (date(2026, 3, 2), date(2026, 3, 6))


def test_a_manager_marks_a_rep_away(team: dict[str, User], act_as: Callable[[str], User]) -> None:
    act_as("erik")
    call_command(
        "rep", "away", "lena", "--from", "2026-03-02", "--to", "2026-03-02", stdout=StringIO()
    )
    assert RepAbsence.objects.get().created_by == team["erik"]


def test_a_rep_may_not_mark_another_rep_away(
    team: dict[str, User], act_as: Callable[[str], User]
) -> None:
    act_as("jonas")
    with pytest.raises(CommandError, match=r"jonas may not mark a rep away \(lena\)"):
        call_command("rep", "away", "lena", "--from", "2026-03-02", "--to", "2026-03-06")
    assert not RepAbsence.objects.exists()


def test_an_absence_may_not_end_before_it_starts(
    team: dict[str, User], act_as: Callable[[str], User]
) -> None:
    act_as("lena")
    with pytest.raises(CommandError, match="before it starts"):
        call_command("rep", "away", "lena", "--from", "2026-03-06", "--to", "2026-03-02")


def test_a_deadline_on_a_named_calendar_with_a_holiday(marketer: User, manager: User) -> None:
    """A signed contract's `germany` calendar (08:00-16:00, Friday 2 October a holiday):
    Thursday 14:00 plus 4 business hours is Monday 5 October 10:00 in Berlin."""
    calendar = (
        '  calendars:\n    germany: {days: [mon, tue, wed, thu, fri], start: "08:00",'
        ' end: "16:00", holidays: [2026-10-02]}\n'
    )
    text = contract_text(("  sales:\n    first_touch", calendar + "  sales:\n    first_touch"))
    draft = do_propose_contract(text, by=marketer)
    do_approve_contract(draft.number, by=marketer)
    do_approve_contract(draft.number, by=manager)

    result = _json(
        "sla", "deadline", "--start", "2026-10-01T14:00:00+02:00", "--hours", "4",
        "--tz", "Europe/Berlin", "--calendar", "germany",
    )  # fmt: skip

    assert result["calendar"] == "germany"
    assert result["deadline"] == "2026-10-05T10:00:00+02:00"
