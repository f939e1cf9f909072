"""The handoff engine: similar won accounts, questions typed into forms, inbox order."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from revloop.engine.handoff import (
    AccountTable,
    Firmographics,
    InboxSignals,
    asked_questions,
    firmographic_distance,
    inbox_order,
    nearest_accounts,
    priority_scores,
)

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def table(*rows: tuple[str, float, str, int]) -> AccountTable:
    return AccountTable(
        industry=np.array([r[0] for r in rows], dtype=np.str_),
        employees=np.array([r[1] for r in rows], dtype=np.float64),
        region=np.array([r[2] for r in rows], dtype=np.str_),
        won_deals=np.array([r[3] for r in rows], dtype=np.int64),
    )


def test_each_term_costs_what_the_documentation_says() -> None:
    target = Firmographics("Manufacturing", 100, "EMEA")
    accounts = table(
        ("manufacturing ", 100, "emea", 1),  # identical, ignoring case and spaces
        ("Manufacturing", 1000, "EMEA", 1),  # tenfold bigger: 1
        ("Retail", 100, "EMEA", 1),  # other industry: 1
        ("Manufacturing", 100, "NA", 1),  # other region: 0.5
        ("Manufacturing", math.nan, "", 1),  # unknown size 0.5, unknown region 0.5
    )
    assert firmographic_distance(target, accounts).tolist() == [0.0, 1.0, 1.0, 0.5, 1.0]
    unknown = firmographic_distance(Firmographics("", None, ""), accounts)
    assert unknown.tolist() == [2.0, 2.0, 2.0, 2.0, 2.0]


def test_nearest_first_then_more_won_deals() -> None:
    target = Firmographics("Retail", 500, "NA")
    accounts = table(
        ("Retail", 5000, "NA", 1),
        ("Retail", 500, "NA", 1),
        ("Retail", 5000, "NA", 4),
    )
    positions, distances = nearest_accounts(target, accounts, k=2)
    assert positions.tolist() == [1, 2]
    assert distances.tolist() == [0.0, 1.0]
    assert nearest_accounts(target, accounts, k=0)[0].tolist() == []


@given(
    size=st.integers(1, 1_000_000),
    others=st.lists(st.floats(1, 1e6), min_size=1, max_size=20),
)
def test_distance_is_never_negative_and_zero_for_a_twin(size: int, others: list[float]) -> None:
    target = Firmographics("Logistics", size, "EMEA")
    accounts = table(*[("Logistics", o, "EMEA", 1) for o in [*others, float(size)]])
    distance = firmographic_distance(target, accounts)
    assert (distance >= 0).all()
    assert distance[-1] == 0.0


def test_questions_come_from_free_text_fields_newest_first_once_each() -> None:
    touches = [
        (T0, "form_submit", {"Message": "Do you ship to Norway?", "fleet_size": "40"}),
        (T0 + timedelta(days=2), "chat", {"question": "  Is there   an API? "}),
        (T0 + timedelta(days=3), "form_submit", {"message": "Do you ship to Norway?"}),
        (T0 + timedelta(days=4), "form_submit", {"How can we help": 42, "comments": ""}),
    ]
    found = asked_questions(touches)
    assert [(q.text, q.at) for q in found] == [
        ("Do you ship to Norway?", T0 + timedelta(days=3)),
        ("Is there an API?", T0 + timedelta(days=2)),
    ]


def signals(
    score: list[float], probability: list[float], left: list[float], breached: list[bool]
) -> InboxSignals:
    return InboxSignals(
        rule_score=np.array(score, dtype=np.float64),
        probability=np.array(probability, dtype=np.float64),
        seconds_left=np.array(left, dtype=np.float64),
        breached=np.array(breached, dtype=np.bool_),
    )


def test_breached_first_then_priority_then_the_sooner_deadline() -> None:
    nan = math.nan
    order, priority = inbox_order(
        signals(
            score=[300, 10, 100, 100, 100],
            probability=[nan, nan, nan, 0.9, nan],
            left=[nan, -60, 4 * 3600, 4 * 3600, 3600 * 1000],
            breached=[False, True, False, False, False],
        )
    )
    assert order.tolist() == [1, 3, 2, 0, 4]
    # 100 points is worth 0.5; four hours left is urgency 0.5.
    assert priority[2] == 0.5
    assert priority[0] == (300 / 400) / 2


@given(
    score=st.floats(0, 1000),
    sooner=st.floats(0, 1e6),
    extra=st.floats(0, 1e6),
)
def test_less_time_left_never_lowers_the_priority(
    score: float, sooner: float, extra: float
) -> None:
    nan = math.nan
    result = priority_scores(
        signals([score, score], [nan, nan], [sooner, sooner + extra], [False, False])
    )
    assert result[0] >= result[1]
    assert ((result >= 0) & (result <= 1)).all()
