"""The stage machine over the API and the command line: every edge, for who may and who may not."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client

from revloop.core.errors import ForbiddenError, InvalidInputError
from revloop.engine.contract import RULE_ACTOR, ReasonKind, default_contract
from revloop.engine.vocabulary import Role
from revloop.lifecycle.actions import do_move_person
from revloop.lifecycle.models import StageTransition
from revloop.lifecycle.queries import stage_timestamps
from revloop.people.models import Person
from revloop.users.models import AuditEntry, User
from tests import factories

pytestmark = pytest.mark.django_db

CONTRACT = default_contract()
EDGES = [
    (edge.source.value, edge.target.value, frozenset(edge.actors), edge.reason)
    for edge in CONTRACT.transitions
]
#: The contract actors each persona acts as.
PERSONAS: dict[str, tuple[Role | None, frozenset[str]]] = {
    "marketer": (Role.MARKETING, frozenset({"marketing"})),
    "rep": (Role.SALES_REP, frozenset({"sales"})),
    "manager": (Role.SALES_MANAGER, frozenset({"sales"})),
    "admin": (Role.ADMIN, frozenset({"marketing", "sales"})),
    "viewer": (Role.VIEWER, frozenset()),
    "outsider": (None, frozenset()),
}


@pytest.fixture
def user_as(make_user: Callable[..., User]) -> Callable[[str], User]:
    users: dict[str, User] = {}

    def make(persona: str) -> User:
        if persona not in users:
            users[persona] = make_user(persona, PERSONAS[persona][0])
        return users[persona]

    return make


@pytest.fixture
def client_as(
    user_as: Callable[[str], User], token_client: Callable[..., Client]
) -> Callable[[str], Client]:
    clients: dict[str, Client] = {}

    def make(persona: str) -> Client:
        if persona not in clients:
            clients[persona] = token_client(user_as(persona))
        return clients[persona]

    return make


def post(client: Client, person: Person | str, **body: object) -> tuple[int, dict[str, object]]:
    ref = person.pk if isinstance(person, Person) else person
    response = client.post(
        f"/api/v1/people/{ref}/transitions", json.dumps(body), content_type="application/json"
    )
    return response.status_code, response.json()


@pytest.mark.parametrize("persona", sorted(PERSONAS))
@pytest.mark.parametrize("edge", EDGES, ids=lambda edge: f"{edge[0]}->{edge[1]}")
def test_every_edge_is_open_exactly_to_its_actors(
    client_as: Callable[[str], Client],
    user_as: Callable[[str], User],
    persona: str,
    edge: tuple[str, str, frozenset[str], ReasonKind | None],
) -> None:
    """On a lead the persona owns, the contract's actors alone decide who may move it."""
    source, target, actors, reason = edge
    person = factories.person(stage=source, owner=user_as(persona))
    code = CONTRACT.reasons.codes(reason)[0] if reason is not None else None
    status, body = post(client_as(persona), person, to_stage=target, reason_code=code, note="n")
    may = bool(PERSONAS[persona][1] & (actors - {RULE_ACTOR}))
    person.refresh_from_db()
    if may:
        assert status == 201, body
        record = StageTransition.objects.get(person=person)
        assert (record.from_stage, record.to_stage, record.by_user.username) == (
            source,
            target,
            persona,
        )
        assert (record.reason_code, record.note, record.contract_version.number) == (
            code or "",
            "n",
            1,
        )
        assert (person.stage, person.stage_changed_at) == (target, record.at)
        assert body["stage"] == target
    else:
        assert status == 403, body
        assert body["code"] == "forbidden"
        assert person.stage == source
        assert not StageTransition.objects.filter(person=person).exists()


@pytest.mark.parametrize("persona", ["rep", "manager", "admin"])
def test_a_move_that_is_no_edge_is_refused_saying_where_it_can_go(
    client_as: Callable[[str], Client], user_as: Callable[[str], User], persona: str
) -> None:
    person = factories.person(stage="lead", owner=user_as(persona))
    status, body = post(client_as(persona), person, to_stage="sql")
    assert status == 400
    assert body["message"].endswith(
        "Lead → SQL is not an allowed move; from Lead the contract allows: MQL, Disqualified"
    )
    status, body = post(client_as("rep"), person, to_stage="won")
    assert (status, body["code"]) == (400, "invalid")
    assert "unknown stage 'won'" in body["message"]


def test_a_rejection_needs_a_reason_from_the_contract(
    client_as: Callable[[str], Client], user_as: Callable[[str], User]
) -> None:
    rep = client_as("rep")
    person = factories.person(stage="mql", owner=user_as("rep"))
    status, body = post(rep, person, action="reject")
    assert status == 400
    assert "needs a reject reason: wrong_target, misinformed, no_budget, not_now" in body["message"]
    status, body = post(rep, person, action="reject", reason_code="spam")
    assert (status, "'spam' is not a reject reason" in body["message"]) == (400, True)
    status, body = post(rep, person, action="reject", reason_code="no_budget", note="next year")
    assert status == 201
    assert body["transition"]["reason_code"] == "no_budget"
    assert body["transition"]["note"] == "next year"
    assert body["stage"] == "recycled"


def test_sales_accepts_qualifies_converts_and_wins(
    client_as: Callable[[str], Client], user_as: Callable[[str], User]
) -> None:
    rep = client_as("rep")
    person = factories.person(email="ada@acme.example", stage="mql", owner=user_as("rep"))
    for action, stage in (
        ("accept", "sal"),
        ("qualify", "sql"),
        ("convert", "opportunity"),
        ("win", "customer"),
    ):
        status, body = post(rep, "ada@acme.example", action=action)
        assert (status, body["stage"]) == (201, stage), body
    assert list(person.transitions.values_list("to_stage", flat=True)) == [
        "sal",
        "sql",
        "opportunity",
        "customer",
    ]
    trail = AuditEntry.objects.filter(action="lead.stage_changed", object_id=str(person.pk))
    assert [(e.actor_name, e.detail["to"]) for e in trail.order_by("id")] == [
        (user_as("rep").username, stage) for stage in ("sal", "sql", "opportunity", "customer")
    ]


def test_marketing_may_not_accept_and_sales_may_disqualify(
    client_as: Callable[[str], Client], user_as: Callable[[str], User]
) -> None:
    person = factories.person(stage="mql", owner=user_as("manager"))
    status, body = post(client_as("marketer"), person, action="accept")
    assert status == 403
    assert "may be made only by sales (sales_rep, sales_manager, admin)" in body["message"]
    status, body = post(client_as("manager"), person, action="disqualify", reason_code="competitor")
    assert (status, body["stage"]) == (201, "disqualified")


def test_bad_requests(
    client_as: Callable[[str], Client],
    user_as: Callable[[str], User],
    token_client: Callable[..., Client],
    rep: User,
) -> None:
    client = client_as("manager")
    person = factories.person(stage="mql", owner=user_as("manager"))
    assert post(client, person, action="accept", to_stage="sal")[0] == 400
    assert post(client, person)[0] == 400
    status, body = post(client, person, action="bless")
    assert (status, "unknown action 'bless'" in body["message"]) == (400, True)
    assert post(client, "999999", action="accept")[0] == 404
    ingest = token_client(rep, "ingest")
    response = ingest.post(
        f"/api/v1/people/{person.pk}/transitions", "{}", content_type="application/json"
    )
    assert response.status_code == 401


def test_the_history_shows_every_move_and_when_each_stage_began(
    client_as: Callable[[str], Client], user_as: Callable[[str], User]
) -> None:
    person = factories.person(stage="lead", owner=user_as("rep"))
    factories.transition(person, from_stage="", to_stage="lead", at=factories.T0, by_rule="created")
    rep = client_as("rep")
    do_move_person(person, "mql", rule="mql")
    post(rep, person, action="accept")
    response = client_as("viewer").get(f"/api/v1/people/{person.pk}/transitions")
    assert response.status_code == 200
    data = response.json()
    assert data["stage"] == "sal"
    assert [
        (t["from_stage"], t["to_stage"], t["by_user"], t["by_rule"]) for t in data["transitions"]
    ] == [
        ("", "lead", None, "created"),
        ("lead", "mql", None, "mql"),
        ("mql", "sal", "rep", ""),
    ]
    assert list(data["stage_timestamps"]) == ["lead", "mql", "sal"]
    assert data["transitions"][0]["contract_version"] is None
    assert data["transitions"][2]["contract_version"] == 1
    assert client_as("outsider").get(f"/api/v1/people/{person.pk}/transitions").status_code == 403


def test_stage_timestamps_keep_the_first_entry_into_each_stage() -> None:
    person = factories.person(stage="lead")
    day = timedelta(days=1)
    for source, target, days in (
        ("lead", "mql", 1),
        ("mql", "recycled", 5),
        ("recycled", "mql", 9),
    ):
        factories.transition(
            person, from_stage=source, to_stage=target, at=factories.T0 + days * day
        )
    assert stage_timestamps(person) == {
        "mql": factories.T0 + day,
        "recycled": factories.T0 + 5 * day,
    }


def test_the_rules_may_only_take_their_own_edges(rep: User) -> None:
    person = factories.person(stage="lead")
    record = do_move_person(person, "mql", rule="mql")
    assert (record.by_rule, record.by_user) == ("mql", None)
    with pytest.raises(ForbiddenError, match="never made automatically"):
        do_move_person(person, "sal", rule="mql")
    with pytest.raises(InvalidInputError, match="the person is already in MQL"):
        do_move_person(person, "mql", by=rep)
    with pytest.raises(ValueError, match="either by a user or by a rule"):
        do_move_person(person, "sal")


def test_a_superuser_acts_as_an_admin() -> None:
    root = User.objects.create_superuser("root", password="pw-root")
    person = factories.person(stage="mql")
    assert do_move_person(person, "sal", by=root).to_stage == "sal"


def test_the_stage_command(rep: User, viewer: User, act_as: Callable[[str], User]) -> None:
    factories.person(email="ada@acme.example", stage="mql", owner=rep)
    out = StringIO()
    with pytest.raises(CommandError, match="moving a person between stages is done by a person"):
        call_command("stage", "move", "ada@acme.example", "sal")
    act_as("rob")
    call_command("stage", "move", "ada@acme.example", "sal", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["from_stage"], data["to_stage"], data["by"], data["contract_version"]) == (
        "mql",
        "sal",
        "rob",
        1,
    )
    act_as("vic")
    with pytest.raises(CommandError, match="vic may not move people between stages"):
        call_command("stage", "move", "ada@acme.example", "sql")
    act_as("rob")
    with pytest.raises(CommandError, match="needs a reject reason"):
        call_command("stage", "move", "ada@acme.example", "recycled")


def test_the_contract_version_of_a_move_cannot_be_rewritten(rep: User) -> None:
    record = do_move_person(factories.person(stage="mql", owner=rep), "sal", by=rep)
    with (
        pytest.raises((IntegrityError, DatabaseError), match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE lifecycle_stagetransition SET contract_version_id = NULL WHERE id = %s",
            [record.pk],
        )


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_sales_may_not_move_a_lead_owned_outside_their_team(
    client_as: Callable[[str], Client], make_user: Callable[..., User], persona: str
) -> None:
    """A rep works their own leads, a manager their team's: another rep's lead is refused."""
    other = make_user("olga", Role.SALES_REP)
    person = factories.person(stage="mql", owner=other)
    status, body = post(client_as(persona), person, action="accept")
    assert (status, body["code"]) == (403, "forbidden")
    assert (
        f"({person.email}, owned by olga): {persona} may act only on their own" in body["message"]
    )
    person.refresh_from_db()
    assert person.stage == "mql"
    assert not StageTransition.objects.filter(person=person).exists()


def test_a_manager_moves_their_reps_leads_and_an_admin_anyones(
    client_as: Callable[[str], Client],
    user_as: Callable[[str], User],
    make_user: Callable[..., User],
) -> None:
    manager = user_as("manager")
    their_rep = make_user("rita", Role.SALES_REP, manager=manager)
    stranger = make_user("olga", Role.SALES_REP)
    assert (
        post(client_as("manager"), factories.person(stage="mql", owner=their_rep), action="accept")[
            0
        ]
        == 201
    )
    assert (
        post(client_as("admin"), factories.person(stage="mql", owner=stranger), action="accept")[0]
        == 201
    )
    unassigned = factories.person(stage="mql")
    assert post(client_as("rep"), unassigned, action="accept")[0] == 403
    assert post(client_as("admin"), unassigned, action="accept")[0] == 201


def test_marketing_moves_are_not_bound_to_the_owner(
    client_as: Callable[[str], Client], make_user: Callable[..., User]
) -> None:
    """Promoting a lead is Marketing's move, whoever owns the lead."""
    person = factories.person(stage="lead", owner=make_user("olga", Role.SALES_REP))
    assert post(client_as("marketer"), person, action="promote")[0] == 201
