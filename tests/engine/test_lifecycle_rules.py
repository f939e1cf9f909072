"""The stage machine of the default contract: every move, every actor, allowed and refused."""

from __future__ import annotations

import datetime as dt
import itertools

import polars as pl
import pytest

from revloop.engine.contract import (
    ReasonKind,
    default_contract,
    default_contract_text,
    parse_contract,
)
from revloop.engine.lifecycle import (
    AutoTransition,
    Mover,
    allowed_moves,
    automatic_transition,
    automatic_transitions,
    check_transition,
)
from revloop.engine.scoring import score_people
from revloop.engine.vocabulary import LifecycleStage, Role

CONTRACT = default_contract()
NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)

RULE, MARKETING, SALES = "rule", "marketing", "sales"
ANYONE = frozenset({RULE, MARKETING, SALES})

#: The default contract's moves, written out as the specification both teams sign.
EDGES: dict[tuple[str, str], tuple[frozenset[str], ReasonKind | None]] = {
    ("lead", "mql"): (frozenset({RULE, MARKETING}), None),
    ("recycled", "mql"): (frozenset({RULE, MARKETING}), None),
    ("mql", "sal"): (frozenset({SALES}), None),
    ("mql", "recycled"): (frozenset({RULE, SALES}), ReasonKind.REJECT),
    ("sal", "sql"): (frozenset({SALES}), None),
    ("sal", "recycled"): (frozenset({RULE, SALES}), ReasonKind.REJECT),
    ("sql", "opportunity"): (frozenset({SALES}), None),
    ("sql", "recycled"): (frozenset({SALES}), ReasonKind.REJECT),
    ("opportunity", "customer"): (frozenset({SALES}), None),
    ("opportunity", "recycled"): (frozenset({SALES}), ReasonKind.LOST),
    ("lead", "disqualified"): (ANYONE, ReasonKind.DISQUALIFY),
    ("recycled", "disqualified"): (ANYONE, ReasonKind.DISQUALIFY),
    ("mql", "disqualified"): (frozenset({SALES}), ReasonKind.DISQUALIFY),
    ("sal", "disqualified"): (frozenset({SALES}), ReasonKind.DISQUALIFY),
    ("sql", "disqualified"): (frozenset({SALES}), ReasonKind.DISQUALIFY),
    ("disqualified", "lead"): (frozenset({MARKETING, SALES}), None),
}

#: Who is asking, and which contract actors that makes them.
MOVERS: dict[str, tuple[Mover, frozenset[str]]] = {
    "the rule": (Mover.rule(), frozenset({RULE})),
    "a marketer": (Mover.user(Role.MARKETING), frozenset({MARKETING})),
    "a sales rep": (Mover.user(Role.SALES_REP), frozenset({SALES})),
    "a sales manager": (Mover.user(Role.SALES_MANAGER), frozenset({SALES})),
    "an admin": (Mover.user(Role.ADMIN), frozenset({MARKETING, SALES})),
    "a viewer": (Mover.user(Role.VIEWER), frozenset()),
    "a user with no role": (Mover.user(), frozenset()),
}

NON_EDGES = [
    (source.value, target.value)
    for source, target in itertools.permutations(LifecycleStage, 2)
    if (source.value, target.value) not in EDGES
]


def test_the_default_contract_has_exactly_these_moves() -> None:
    actual = {
        (t.source.value, t.target.value): (frozenset(t.actors), t.reason)
        for t in CONTRACT.transitions
    }
    assert actual == EDGES


@pytest.mark.parametrize(("source", "target"), sorted(EDGES))
@pytest.mark.parametrize("who", sorted(MOVERS))
def test_every_move_is_allowed_exactly_for_its_actors(source: str, target: str, who: str) -> None:
    mover, actors = MOVERS[who]
    allowed_actors, kind = EDGES[source, target]
    reason = CONTRACT.reasons.codes(kind)[0] if kind is not None else None
    decision = check_transition(CONTRACT, source, target, mover, reason_code=reason)
    assert decision.allowed == bool(actors & allowed_actors), decision.message
    if decision:
        assert decision.actor in allowed_actors & actors
    else:
        assert (
            "may be made only by" in decision.message
            or "never made automatically" in (decision.message)
            or "only by the automatic rule" in decision.message
        )


@pytest.mark.parametrize(("source", "target"), NON_EDGES)
def test_every_other_move_is_refused_for_everyone(source: str, target: str) -> None:
    for mover, _ in MOVERS.values():
        decision = check_transition(CONTRACT, source, target, mover)
        assert not decision
        assert "is not an allowed move" in decision.message


def test_a_refusal_says_who_may_make_the_move() -> None:
    decision = check_transition(CONTRACT, "mql", "sal", Mover.user(Role.MARKETING))
    assert decision.message == (
        "MQL → SAL (accepted) may be made only by sales (sales_rep, sales_manager, admin);"
        " you are a user with roles marketing"
    )
    automatic = check_transition(CONTRACT, "mql", "sal", Mover.rule())
    assert automatic.message == (
        "MQL → SAL (accepted) is never made automatically; it needs a person:"
        " sales (sales_rep, sales_manager, admin)"
    )


def test_a_refusal_says_where_the_person_can_go() -> None:
    decision = check_transition(CONTRACT, "lead", "sql", Mover.user(Role.SALES_REP))
    assert decision.message == (
        "Lead → SQL is not an allowed move; from Lead the contract allows: MQL, Disqualified"
    )
    final = check_transition(CONTRACT, "customer", "lead", Mover.user(Role.ADMIN))
    assert final.message.endswith(
        "from Customer the contract allows: nothing (it is a final stage)"
    )


def test_a_person_must_give_a_reason_from_the_right_list() -> None:
    rep = Mover.user(Role.SALES_REP)
    missing = check_transition(CONTRACT, "mql", "recycled", rep)
    assert missing.message == (
        "MQL → Recycled needs a reject reason: wrong_target, misinformed, no_budget, not_now,"
        " no_response, duplicate, bad_data"
    )
    wrong_list = check_transition(CONTRACT, "opportunity", "recycled", rep, reason_code="spam")
    assert wrong_list.message.startswith("'spam' is not a lost reason; use one of: no_budget")
    assert check_transition(CONTRACT, "opportunity", "recycled", rep, reason_code="price")


def test_a_move_without_a_reason_list_takes_no_reason() -> None:
    decision = check_transition(
        CONTRACT, "mql", "sal", Mover.user(Role.SALES_REP), reason_code="no_budget"
    )
    assert decision.message == "MQL → SAL (accepted) takes no reason code (got 'no_budget')"


def test_automatic_moves_record_their_rule_instead_of_a_reason() -> None:
    assert check_transition(CONTRACT, "mql", "recycled", Mover.rule())
    assert not check_transition(CONTRACT, "mql", "recycled", Mover.rule(), reason_code="nope")


def test_unknown_same_and_unused_stages_are_refused() -> None:
    rep = Mover.user(Role.SALES_REP)
    assert check_transition(CONTRACT, "mql", "mql", rep).message == "the person is already in MQL"
    assert check_transition(CONTRACT, "mql", "won", rep).message == "unknown stage 'won'"
    text = default_contract_text().replace(
        "stages: [lead, mql, sal, sql, opportunity, customer, recycled, disqualified]",
        "stages: [lead, mql, sal, opportunity, customer, recycled, disqualified]",
    )
    text = text.replace(
        "  - {from: sal, to: sql, by: sales}\n", "  - {from: sal, to: opportunity, by: sales}\n"
    )
    text = text.replace("  - {from: sql, to: opportunity, by: sales}\n", "")
    text = text.replace("  - {from: sql, to: recycled, by: sales, reason: reject}\n", "")
    text = text.replace(
        "{from: [mql, sal, sql], to: disqualified", "{from: [mql, sal], to: disqualified"
    )
    lean = parse_contract(text)
    assert check_transition(lean, "sal", "sql", rep).message == (
        "this contract does not use the stage SQL"
    )
    assert check_transition(lean, "sal", "opportunity", rep)


def test_allowed_moves_are_the_buttons_a_user_sees() -> None:
    targets = [t.target for t in allowed_moves(CONTRACT, "mql", Mover.user(Role.SALES_REP))]
    assert targets == [LifecycleStage.SAL, LifecycleStage.RECYCLED, LifecycleStage.DISQUALIFIED]
    assert allowed_moves(CONTRACT, "mql", Mover.user(Role.VIEWER)) == ()
    assert allowed_moves(CONTRACT, "nowhere", Mover.user(Role.ADMIN)) == ()


def auto(
    stage: str,
    *,
    eligible: bool = False,
    disqualify: str | None = None,
    touched_days_ago: float | None = None,
    entered_days_ago: float = 1,
) -> AutoTransition | None:
    return automatic_transition(
        CONTRACT,
        stage,
        mql_eligible=eligible,
        disqualify_rule=disqualify,
        last_touch_at=None if touched_days_ago is None else NOW - touched_days_ago * DAY,
        stage_changed_at=NOW - entered_days_ago * DAY,
        now=NOW,
    )


def test_an_eligible_lead_becomes_an_mql() -> None:
    assert auto("lead", eligible=True, touched_days_ago=0) == AutoTransition(
        LifecycleStage.MQL, "mql"
    )
    assert auto("lead", eligible=False, touched_days_ago=0) is None


def test_a_disqualifying_rule_wins_and_records_its_reason() -> None:
    assert auto("lead", eligible=True, disqualify="student") == AutoTransition(
        LifecycleStage.DISQUALIFIED, "negative:student", "student"
    )
    assert auto("recycled", disqualify="competitor") == AutoTransition(
        LifecycleStage.DISQUALIFIED, "negative:competitor", "competitor"
    )


def test_once_sales_has_the_lead_only_sales_disqualifies() -> None:
    assert auto("mql", disqualify="student", touched_days_ago=1) is None
    assert auto("sql", disqualify="student", touched_days_ago=1) is None


def test_a_quiet_mql_or_sal_is_recycled_after_90_days() -> None:
    recycled = AutoTransition(LifecycleStage.RECYCLED, "recycle")
    assert auto("mql", touched_days_ago=90, entered_days_ago=95) == recycled
    assert auto("sal", touched_days_ago=120, entered_days_ago=100) == recycled
    assert auto("mql", touched_days_ago=89, entered_days_ago=95) is None
    # Quiet is counted from entering the stage too: a fresh MQL is never recycled at once.
    assert auto("mql", touched_days_ago=200, entered_days_ago=10) is None
    assert auto("mql", touched_days_ago=None, entered_days_ago=90) == recycled
    assert auto("opportunity", touched_days_ago=400, entered_days_ago=400) is None


def test_a_recycled_person_comes_back_only_after_a_new_touch() -> None:
    assert auto("recycled", eligible=True, touched_days_ago=10, entered_days_ago=5) is None
    assert auto("recycled", eligible=True, touched_days_ago=5, entered_days_ago=10) == (
        AutoTransition(LifecycleStage.MQL, "mql")
    )


def test_later_stages_never_move_by_themselves() -> None:
    for stage in ("sql", "opportunity", "customer", "disqualified"):
        assert auto(stage, eligible=True, touched_days_ago=365, entered_days_ago=365) is None


def test_the_population_form_agrees_with_the_single_person_form() -> None:
    people = pl.DataFrame(
        {
            "person_id": [1, 2, 3, 4, 5],
            "person.email": [
                "a@acme.example",
                "b@acme.example",
                "c@acme.example",
                "d@gmail.com",
                "e@acme.example",
            ],
            "person.title": ["VP Sales", "Student", "CTO", "Manager", "CEO"],
            "account.name": ["Acme"] * 5,
            "account.industry": ["software"] * 5,
            "account.employee_count": [1000] * 5,
            "account.country": ["US"] * 5,
            "account.region": ["NA"] * 5,
            "account.tier": ["1"] * 5,
        }
    )
    touches = pl.DataFrame(
        {
            "person_id": [1, 2, 3],
            "occurred_at": [NOW, NOW, NOW - 100 * DAY],
            "type": ["form_submit", "form_submit", "form_submit"],
            "content_kind": ["demo_request"] * 3,
            "url": [None, None, None],
        },
        schema_overrides={"occurred_at": pl.Datetime("us", "UTC"), "url": pl.String},
    )
    result = score_people(CONTRACT, people, touches, NOW)
    stages = pl.DataFrame(
        {
            "person_id": [1, 2, 3, 4, 5, 77],
            "stage": ["lead", "lead", "mql", "sal", "customer", "lead"],
            "stage_changed_at": [NOW - 200 * DAY] * 6,
        },
        schema_overrides={"stage_changed_at": pl.Datetime("us", "UTC")},
    )
    moves = automatic_transitions(CONTRACT, result, stages)
    assert moves.rows() == [
        (1, "lead", "mql", "mql", None),
        (2, "lead", "disqualified", "negative:student", "student"),
        (3, "mql", "recycled", "recycle", None),
        (4, "sal", "recycled", "recycle", None),
    ]
    with pytest.raises(ValueError, match="unknown stage 'won'"):
        automatic_transitions(CONTRACT, result, stages.with_columns(pl.lit("won").alias("stage")))
