"""Dismissing a pipeline flag: managers only, with a reason, kept for good; the flag
stays on the report, marked, and stops counting toward a suspect."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from revloop.core.append_only import AppendOnlyError
from revloop.core.errors import ForbiddenError, InvalidInputError, NotFoundError
from revloop.pipeline.actions import do_dismiss_flag
from revloop.pipeline.honesty import pipeline_report
from revloop.pipeline.models import FlagDismissal, Opportunity, OpportunityContact
from revloop.users.models import User
from tests import factories

NOW = datetime.now(UTC)


@pytest.fixture
def quiet_late_deal(db: None, rep: User) -> Opportunity:
    """Open 60 days with no activity and a close date 30 days gone: two checks."""
    person = factories.person()
    deal = Opportunity.objects.create(
        name="Quiet",
        primary_contact=person,
        amount=10_000,
        stage="discovery",
        close_date=(NOW - timedelta(days=30)).date(),
        owner=rep,
        created_at=NOW - timedelta(days=60),
    )
    OpportunityContact.objects.create(opportunity=deal, person=person, role="economic_buyer")
    return deal


def _flags(report: dict[str, Any], deal: Opportunity) -> dict[str, dict[str, Any]]:
    return {f["check"]: f for f in report["flags"] if f["opportunity"] == deal.pk}


def test_a_dismissed_flag_stays_marked_and_stops_counting(
    quiet_late_deal: Opportunity, manager: User
) -> None:
    before = pipeline_report(trend=False)
    assert set(_flags(before, quiet_late_deal)) == {"no_activity", "past_due"}
    assert before["suspects"] == [quiet_late_deal.pk]

    do_dismiss_flag(quiet_late_deal.pk, "past_due", by=manager, reason="Signed, paperwork late")

    after = pipeline_report(trend=False)
    flags = _flags(after, quiet_late_deal)
    assert flags["past_due"]["dismissed"] is True
    assert flags["past_due"]["dismissal"]["by"] == manager.username
    assert flags["past_due"]["dismissal"]["reason"] == "Signed, paperwork late"
    assert flags["no_activity"]["dismissed"] is False
    assert after["suspects"] == []


def test_only_managers_dismiss_and_they_say_why(
    quiet_late_deal: Opportunity, rep: User, manager: User
) -> None:
    with pytest.raises(ForbiddenError):
        do_dismiss_flag(quiet_late_deal.pk, "past_due", by=rep, reason="trust me")
    with pytest.raises(InvalidInputError, match="reason"):
        do_dismiss_flag(quiet_late_deal.pk, "past_due", by=manager, reason="  ")
    with pytest.raises(InvalidInputError, match="unknown check 'gut_feeling'"):
        do_dismiss_flag(quiet_late_deal.pk, "gut_feeling", by=manager, reason="why not")
    with pytest.raises(NotFoundError, match="opportunity 999999"):
        do_dismiss_flag(999_999, "past_due", by=manager, reason="gone")
    assert not FlagDismissal.objects.exists()


def test_a_dismissal_is_kept_for_good(quiet_late_deal: Opportunity, manager: User) -> None:
    dismissal = do_dismiss_flag(quiet_late_deal.pk, "past_due", by=manager, reason="ok")
    dismissal.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        dismissal.save()
    with pytest.raises(AppendOnlyError):
        FlagDismissal.objects.all().delete()


def test_command_and_api(
    quiet_late_deal: Opportunity,
    manager: User,
    rep: User,
    token_client: Callable[..., Client],
    act_as: Callable[[User], User],
) -> None:
    out = StringIO()
    act_as(manager)
    call_command(
        "pipeline",
        "dismiss",
        str(quiet_late_deal.pk),
        "no_activity",
        "--reason",
        "worked by phone",
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["check"] == "no_activity"
    act_as(rep)
    with pytest.raises(CommandError, match="sales_manager or admin"):
        call_command(
            "pipeline",
            "dismiss",
            str(quiet_late_deal.pk),
            "past_due",
            "--reason",
            "x",
        )
    body = {"opportunity": quiet_late_deal.pk, "check": "past_due", "reason": "paperwork"}
    refused = token_client(rep).post("/api/v1/pipeline/dismissals", body, "application/json")
    assert refused.status_code == 403
    made = token_client(manager).post("/api/v1/pipeline/dismissals", body, "application/json")
    assert made.status_code == 201
    assert made.json()["by"] == manager.username
    assert FlagDismissal.objects.count() == 2
