"""The routing endpoints: who may re-assign, mark reps away and read the SLA record."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from revloop.people.models import Person
from revloop.routing.actions import do_route_people
from revloop.routing.models import Assignment, RepAbsence
from revloop.users.models import AuditEntry, User

from .conftest import BERLIN_MORNING, EMEA

ClientFor = Callable[..., Client]


def _routed(make_mql: Callable[..., Person]) -> Person:
    lead = make_mql(region="EMEA")
    do_route_people([lead.pk], BERLIN_MORNING)
    return lead


def test_a_manager_reassigns_a_lead(
    team: dict[str, User], make_mql: Callable[..., Person], token_client: ClientFor
) -> None:
    lead = _routed(make_mql)
    lead.refresh_from_db()
    # Within erik's team: the lead is an EMEA rep's, and so is whom it goes to.
    to = next(name for name in ("lena", "jonas", "sofia") if team[name].pk != lead.owner_id)
    response = token_client(team["erik"]).post(
        f"/api/v1/people/{lead.pk}/reassign", {"to": to}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["rep"], body["rule_id"], body["by_user"]) == (to, "manual", "erik")
    assert Assignment.objects.filter(person=lead).count() == 2
    routed, moved = AuditEntry.objects.order_by("id").filter(action__contains="lead")
    assert (routed.action, routed.actor_name, routed.detail["assigned"]) == ("leads.routed", "", 1)
    assert (moved.action, moved.actor_name, moved.object_id) == (
        "lead.reassigned",
        "erik",
        str(lead.pk),
    )
    assert moved.detail == {"to": to, "reason": "manual"}


def test_a_rep_may_not_reassign(
    team: dict[str, User], make_mql: Callable[..., Person], token_client: ClientFor
) -> None:
    lead = _routed(make_mql)
    response = token_client(team["lena"]).post(
        f"/api/v1/people/{lead.pk}/reassign", {}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Assignment.objects.filter(person=lead).count() == 1


def test_the_assignment_history_names_rule_and_skips(
    team: dict[str, User],
    viewer: User,
    make_mql: Callable[..., Person],
    token_client: ClientFor,
) -> None:
    lead = _routed(make_mql)
    response = token_client(viewer).get(f"/api/v1/people/{lead.pk}/assignments")
    assert response.status_code == 200
    (only,) = response.json()
    assert only["rule_id"] == "emea"
    assert only["rep"] in EMEA
    assert isinstance(only["skipped"], list)


def test_an_outsider_reads_no_assignments(
    team: dict[str, User],
    outsider: User,
    make_mql: Callable[..., Person],
    token_client: ClientFor,
) -> None:
    lead = _routed(make_mql)
    assert token_client(outsider).get(f"/api/v1/people/{lead.pk}/assignments").status_code == 403


def test_a_rep_marks_themselves_away_but_not_a_colleague(
    team: dict[str, User], token_client: ClientFor
) -> None:
    client = token_client(team["lena"])
    days = {"starts": "2026-03-02", "ends": "2026-03-06"}
    mine = client.post("/api/v1/reps/lena/absences", days, content_type="application/json")
    theirs = client.post("/api/v1/reps/jonas/absences", days, content_type="application/json")
    assert mine.status_code == 201
    assert theirs.status_code == 403
    assert list(RepAbsence.objects.values_list("user__username", flat=True)) == ["lena"]


def test_a_manager_marks_a_rep_away(team: dict[str, User], token_client: ClientFor) -> None:
    response = token_client(team["nina"]).post(
        "/api/v1/reps/tom/absences",
        {"starts": "2026-03-02", "ends": "2026-03-02", "note": "training"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["created_by"] == "nina"


def test_both_teams_compliance_for_a_week(
    team: dict[str, User], viewer: User, outsider: User, token_client: ClientFor
) -> None:
    response = token_client(viewer).get("/api/v1/sla/compliance", {"week": "2026-03-04"})
    assert response.status_code == 200
    body = response.json()
    assert body["week_start"] == "2026-03-02"
    assert body["marketing"]["mql_target"] == 35
    assert body["sales"]["first_touch_target_hours"] == 4
    # Every rate states what it counts; with nothing due this week it has no value.
    assert body["sales"]["deadlines_kept"] == {"numerator": 0, "denominator": 0, "value": None}
    assert body["sales"]["speed_to_lead"]["in_time"] == {
        "numerator": 0,
        "denominator": 0,
        "value": None,
    }
    assert body["sales"]["by_rep"] == []
    assert token_client(outsider).get("/api/v1/sla/compliance").status_code == 403
