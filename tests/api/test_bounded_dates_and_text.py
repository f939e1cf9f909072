"""Dates at the API's edge lie in 1900-2200 and text holds no NUL: a 422 naming the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from revloop.engine.vocabulary import Role
from revloop.feedback.models import Note, SalesActivity
from revloop.lifecycle.models import StageTransition
from revloop.routing.models import RepAbsence
from revloop.users.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def _answer(response: Any, field: str) -> str:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"].startswith(field), body["message"]
    return str(body["message"])


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "2201-01-01", "1899-12-31"])
def test_sla_compliance_for_an_absurd_week_is_a_422(
    week: str, viewer: User, token_client: Callable[..., Client]
) -> None:
    response = token_client(viewer).get("/api/v1/sla/compliance", {"week": week})
    assert "1900-2200" in _answer(response, "week")


def test_sla_compliance_at_the_edges_of_the_range_answers(
    viewer: User, token_client: Callable[..., Client]
) -> None:
    client = token_client(viewer)
    for week in ("1900-01-03", "2200-12-28"):
        assert client.get("/api/v1/sla/compliance", {"week": week}).status_code == 200


def test_an_absence_in_the_year_9999_is_a_422(
    rep: User, manager: User, token_client: Callable[..., Client]
) -> None:
    rep.manager = manager
    rep.save(update_fields=["manager"])
    body = {"starts": "9999-12-30", "ends": "9999-12-31"}
    response = token_client(manager).post(
        f"/api/v1/reps/{rep.username}/absences", json.dumps(body), content_type="application/json"
    )
    _answer(response, "starts")
    assert not RepAbsence.objects.exists()


def test_a_funnel_cohort_from_the_year_1_is_a_422(
    marketer: User, token_client: Callable[..., Client]
) -> None:
    response = token_client(marketer).get("/api/v1/analytics/funnel", {"from": "0001-01-01"})
    _answer(response, "from")


@pytest.mark.parametrize(
    ("path", "body", "field", "model"),
    [
        ("notes", {"text": "call\x00back"}, "text", Note),
        ("activities", {"kind": "call", "note": "hi\x00"}, "note", SalesActivity),
        ("activities", {"kind": "call", "at": "9999-12-31T00:00:00+00:00"}, "at", SalesActivity),
        ("transitions", {"action": "accept", "note": "ok\x00"}, "note", StageTransition),
    ],
)
def test_nul_text_and_absurd_times_are_refused_and_nothing_is_stored(
    path: str,
    body: dict[str, Any],
    field: str,
    model: type,
    *,
    make_user: Callable[..., User],
    token_client: Callable[..., Client],
) -> None:
    admin = make_user("ada", Role.ADMIN)
    lead = factories.person(email="lena@northwind.example", owner=admin, stage="mql")
    response = token_client(admin).post(
        f"/api/v1/people/{lead.pk}/{path}", json.dumps(body), content_type="application/json"
    )
    _answer(response, field)
    assert not model.objects.exists()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/v1/inbox", {"rep": "a\x00b"}),
        ("/api/v1/people/a%00b/score", {}),
        ("/api/v1/analytics/lift", {"campaign": "spring\x00"}),
        ("/api/v1/analytics/opportunities", {"by": "source\x00"}),
    ],
)
def test_a_nul_in_a_path_or_query_is_a_422_on_any_endpoint(
    url: str,
    query: dict[str, str],
    make_user: Callable[..., User],
    token_client: Callable[..., Client],
) -> None:
    admin = make_user("ada", Role.ADMIN)
    response = token_client(admin).get(url, query)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert "NUL" in response.json()["message"]


def test_a_nul_in_a_merge_reference_is_a_422(
    make_user: Callable[..., User], token_client: Callable[..., Client]
) -> None:
    admin = make_user("ada", Role.ADMIN)
    body = {"survivor": "ann\x00@x.example", "duplicates": ["bo@x.example"]}
    response = token_client(admin).post(
        "/api/v1/people/merge", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["message"] == "survivor: contains a NUL character"


def test_an_escaped_backslash_before_u0000_is_plain_text(
    make_user: Callable[..., User], token_client: Callable[..., Client]
) -> None:
    admin = make_user("ada", Role.ADMIN)
    lead = factories.person(email="lena@northwind.example", owner=admin, stage="mql")
    response = token_client(admin).post(
        f"/api/v1/people/{lead.pk}/notes",
        json.dumps({"text": "the escape \\u0000 in a log line"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
