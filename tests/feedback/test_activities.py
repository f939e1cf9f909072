"""Logging calls, emails and meetings, and the signal that stops the first-touch clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from revloop.core.errors import ForbiddenError, InvalidInputError
from revloop.core.signals import sales_activity_logged
from revloop.feedback.actions import do_log_activity
from revloop.feedback.models import SalesActivity
from revloop.users.models import User
from tests.feedback.conftest import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def received() -> Any:
    calls: list[dict[str, Any]] = []

    def receiver(sender: object, **kwargs: Any) -> None:
        calls.append(kwargs)

    sales_activity_logged.connect(receiver, dispatch_uid="test-feedback")
    yield calls
    sales_activity_logged.disconnect(dispatch_uid="test-feedback")


def test_the_owner_logs_a_call_and_the_signal_fires_on_commit(
    team: Team, received: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    at = timezone.now() - timedelta(minutes=10)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record = do_log_activity(
            team.rep, team.lead, "call", at, "Talked budgets", outcome="connected"
        )
        assert received == []  # not before the commit
    for callback in callbacks:
        callback()
    assert (record.kind, record.outcome, record.note, record.at) == (
        "call",
        "connected",
        "Talked budgets",
        at,
    )
    assert received == [
        {
            "person_id": team.lead.pk,
            "user_id": team.rep.pk,
            "kind": "call",
            "at": at,
            "signal": sales_activity_logged,
        }
    ]


def test_a_rolled_back_activity_sends_nothing(
    team: Team, received: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    def fail_after_logging() -> None:
        with transaction.atomic():
            do_log_activity(team.rep, team.lead, "email")
            raise RuntimeError("the caller's transaction fails")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        fail_after_logging()
    assert callbacks == []
    assert received == []
    assert not SalesActivity.objects.exists()


def test_the_manager_logs_for_their_team_but_another_rep_may_not(
    team: Team, received: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_log_activity(team.manager, team.lead, "meeting")
    with pytest.raises(ForbiddenError):
        do_log_activity(team.other_rep, team.lead, "call")
    assert [call["user_id"] for call in received] == [team.manager.pk]
    assert SalesActivity.objects.count() == 1


def test_marketing_viewer_and_outsider_may_not_log(
    team: Team, marketer: User, viewer: User, outsider: User
) -> None:
    for user in (marketer, viewer, outsider):
        with pytest.raises(ForbiddenError):
            do_log_activity(user, team.lead, "call")
    assert not SalesActivity.objects.exists()


@pytest.mark.parametrize(
    ("kind", "at", "outcome", "message"),
    [
        ("fax", None, "", "kind: 'fax' is not one of: call, email, meeting"),
        ("call", datetime(2026, 3, 2, 9, 30), "", "at: give a time zone"),
        ("call", datetime(2999, 1, 1, tzinfo=UTC), "", "is in the future"),
        ("call", None, "maybe", "outcome: 'maybe' is not one of"),
    ],
)
def test_bad_input_is_refused_by_field(
    team: Team, kind: str, at: datetime | None, outcome: str, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        do_log_activity(team.rep, team.lead, kind, at, outcome=outcome)


def test_activities_are_append_only(team: Team, make_user: Callable[..., User]) -> None:
    record = do_log_activity(team.rep, team.lead, "call")
    record.note = "rewritten"
    with pytest.raises(Exception, match="append-only"):
        record.save()
