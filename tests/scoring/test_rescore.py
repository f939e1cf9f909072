"""Scores land on people in bulk, incrementally or for everyone, and the rules move them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import polars as pl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from revloop.contracts.actions import do_approve_contract, do_propose_contract
from revloop.engine.scoring import score_people
from revloop.lifecycle import actions as lifecycle_actions
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.scoring.actions import do_rescore, do_rescore_people
from revloop.scoring.models import ScoringRun
from revloop.scoring.services import changed_people
from revloop.users.models import User
from tests import factories
from tests.contract_helpers import WIDER, demo_request, ideal_person, near_person

pytestmark = pytest.mark.django_db


def fresh(person: Person) -> Person:
    return Person.objects.get(pk=person.pk)


def test_a_full_rescore_stores_every_score() -> None:
    now = timezone.now()
    star = ideal_person()
    demo_request(star, now - timedelta(hours=2))
    near = near_person()
    loner = factories.person(email="jo@gmail.com")
    summary = do_rescore(full=True)
    assert (summary.full, summary.people, summary.contract_version) == (True, 3, 1)
    star, near, loner = fresh(star), fresh(near), fresh(loner)
    assert (star.fit_score, star.grade) == (85, "A")
    assert star.engagement_score == pytest.approx(50, abs=0.1)
    assert star.rule_score == pytest.approx(star.fit_score + star.engagement_score)
    assert (near.fit_score, near.grade, near.engagement_score) == (35, "C", 0)
    # No company (-10) and a personal address (-15).
    assert (loner.fit_score, loner.grade, loner.rule_score) == (-25, "F", -25)
    assert star.scored_at == near.scored_at == summary.as_of


def test_the_rules_move_people_after_scoring() -> None:
    now = timezone.now()
    star = ideal_person()
    demo_request(star, now - timedelta(hours=2))
    pupil = ideal_person(title="Student")
    quiet = ideal_person(stage="mql", stage_changed_at=now - timedelta(days=120))
    factories.touch(person=quiet, occurred_at=now - timedelta(days=100))
    busy = ideal_person(stage="sal", stage_changed_at=now - timedelta(days=120))
    factories.touch(person=busy, occurred_at=now - timedelta(days=3))

    summary = do_rescore(full=True)
    assert summary.moved == {"mql": 1, "disqualified": 1, "recycled": 1}
    moves = {
        t.person_id: (t.from_stage, t.to_stage, t.by_rule, t.reason_code, t.by_user_id)
        for t in StageTransition.objects.all()
    }
    assert moves == {
        star.pk: ("lead", "mql", "mql", "", None),
        pupil.pk: ("lead", "disqualified", "negative:student", "student", None),
        quiet.pk: ("mql", "recycled", "recycle", "", None),
    }
    assert {t.contract_version.number for t in StageTransition.objects.all()} == {1}
    assert fresh(star).stage == "mql"
    assert fresh(star).stage_changed_at == summary.as_of
    assert fresh(busy).stage == "sal"
    # Scoring again changes nothing: the moves are made.
    assert do_rescore(full=True).moved == {}


def test_a_move_decided_on_a_stale_stage_is_not_made(monkeypatch: pytest.MonkeyPatch) -> None:
    star = ideal_person()
    demo_request(star, timezone.now() - timedelta(hours=1))
    Person.objects.filter(pk=star.pk).update(stage="disqualified")
    stale = pl.DataFrame(
        {"person_id": [star.pk], "stage": ["lead"], "stage_changed_at": [factories.T0]},
        schema_overrides={"stage_changed_at": pl.Datetime("us", "UTC")},
    )
    monkeypatch.setattr(lifecycle_actions, "stages_frame", lambda ids: stale)
    assert do_rescore(full=True).moved == {}
    assert not StageTransition.objects.exists()
    assert fresh(star).stage == "disqualified"


def test_an_incremental_run_rescores_only_who_changed() -> None:
    now = timezone.now()
    a, b, c = ideal_person(), ideal_person(), near_person()
    do_rescore(full=True)
    assert changed_people(ScoringRun.objects.get().touch_watermark) == []

    demo_request(a, now - timedelta(minutes=5))
    c.title = "Fleet Manager"
    c.save()
    newcomer = near_person()
    summary = do_rescore()
    assert summary.full is False
    assert summary.people == 3
    assert fresh(b).scored_at < fresh(a).scored_at
    assert fresh(a).engagement_score == pytest.approx(50, abs=0.1)
    assert fresh(c).fit_score == 45  # a manager (+5) in fleet (+10) now
    assert fresh(newcomer).grade == "C"
    assert do_rescore().people == 0
    runs = list(ScoringRun.objects.order_by("id").values_list("full", "people"))
    assert runs == [(True, 3), (False, 3), (False, 0)]


def test_a_new_contract_makes_the_next_run_a_full_one(marketer: User, manager: User) -> None:
    ideal_person()
    do_rescore(full=True)
    draft = do_propose_contract(WIDER, by=marketer)
    do_approve_contract(draft.number, by=marketer)
    do_approve_contract(draft.number, by=manager)  # activation rescored everyone (a full run)
    last = ScoringRun.objects.order_by("-id").first()
    assert last is not None
    assert (last.full, last.trigger, last.contract_version.number) == (True, "activation", 2)


def test_rescore_people_touches_only_them() -> None:
    now = timezone.now()
    a, b = ideal_person(), ideal_person()
    demo_request(a, now - timedelta(minutes=1))
    demo_request(b, now - timedelta(minutes=1))
    summary = do_rescore_people([a.pk])
    assert summary.people == 1
    assert summary.moved == {"mql": 1}
    assert (fresh(a).grade, fresh(a).stage) == ("A", "mql")
    assert (fresh(b).grade, fresh(b).scored_at, fresh(b).stage) == ("", None, "lead")
    assert do_rescore_people([]).people == 0
    assert not ScoringRun.objects.exists()


def test_stored_scores_equal_the_engine_on_the_same_frames() -> None:
    from revloop.activity.frames import touches_frame
    from revloop.contracts.versions import active_contract
    from revloop.people.frames import people_frame

    now = timezone.now()
    for days in (1, 10, 40):
        person = ideal_person()
        demo_request(person, now - timedelta(days=days))
        factories.touch(
            person=person,
            occurred_at=now - timedelta(days=days),
            url="https://www.brightline.io/pricing",
        )
    summary = do_rescore(full=True, now=now)
    _, contract = active_contract()
    expected = score_people(contract, people_frame([contract]), touches_frame([contract]), now)
    stored = dict(Person.objects.values_list("id", "rule_score"))
    assert summary.people == 3
    assert {
        int(i): float(t) for i, t in zip(expected.person_id, expected.total, strict=True)
    } == stored


def test_score_command(make_user: Callable[..., User]) -> None:
    ideal_person()
    out = StringIO()
    call_command("score", "--all", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["full"], data["people"], data["contract_version"]) == (True, 1, 1)
    assert set(data["timings"]) >= {"read_people", "read_touches", "score", "write_scores"}
    text = StringIO()
    call_command("score", stdout=text)
    assert text.getvalue().startswith("Rescored 0 people (changed people) under contract v1")


def test_explain_command() -> None:
    star = ideal_person(email="vera@acme.example")
    demo_request(star, timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("explain", "VERA@acme.example", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["contract_version"] == 1
    assert [line["rule_id"] for line in data["lines"]] == [
        "target_industry",
        "core_size",
        "senior_title",
        "fleet_role",
        "served_region",
        "demo_request",
    ]
    assert data["mql_eligible"] is True
    text = StringIO()
    call_command("explain", str(star.pk), stdout=text)
    assert "Asked for a demo [demo_request]: 1 touch" in text.getvalue()
    with pytest.raises(CommandError, match=r"no person with email 'ghost@x\.example'"):
        call_command("explain", "ghost@x.example")


@pytest.mark.parametrize("persona", ["marketer", "rep", "manager", "viewer"])
def test_the_score_api_explains_for_every_role(
    persona: str, request: pytest.FixtureRequest, token_client: Callable[..., Client]
) -> None:
    star = ideal_person(email="vera@acme.example")
    demo_request(star, timezone.now() - timedelta(hours=1))
    do_rescore(full=True)
    client = token_client(request.getfixturevalue(persona))
    by_id = client.get(f"/api/v1/people/{star.pk}/score")
    assert by_id.status_code == 200, by_id.content
    data = by_id.json()
    assert (data["person_id"], data["grade"], data["fit"], data["contract_version"]) == (
        star.pk,
        "A",
        85,
        1,
    )
    assert data["lines"][-1]["rule_id"] == "demo_request"
    assert data["lines"][-1]["touches"] == 1
    assert data["checks"][0]["name"] == "engagement"
    assert data["stored"]["grade"] == "A"
    assert client.get("/api/v1/people/vera@acme.example/score").json()["person_id"] == star.pk


def test_the_score_api_refuses_strangers(
    outsider: User, marketer: User, token_client: Callable[..., Client]
) -> None:
    star = ideal_person()
    assert token_client(outsider).get(f"/api/v1/people/{star.pk}/score").status_code == 403
    client = token_client(marketer)
    missing = client.get("/api/v1/people/999999/score")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert (
        token_client(marketer, "ingest").get(f"/api/v1/people/{star.pk}/score").status_code == 401
    )
