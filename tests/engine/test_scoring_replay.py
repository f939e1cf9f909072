"""Replaying history under a contract: the first moment its MQL rule would have held."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import polars as pl
import pytest
import yaml

from revloop.engine.contract import Contract, contract_to_dict, default_contract, parse_contract
from revloop.engine.scoring import first_mql_moments

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def contract(mql: dict[str, Any], points: float = 10) -> Contract:
    data = copy.deepcopy(contract_to_dict(default_contract()))
    data["scoring"] = {
        "half_life_days": 10,
        "grades": {"A": 40, "B": 30, "C": 20, "D": 10},
        "fit": [
            {"id": "vp", "field": "person.title", "regex": r"\bvp\b", "points": 40},
        ],
        "engagement": [
            {"id": "form", "match": {"type": "form_submit"}, "points": points, "cap": 100},
        ],
        "negative": [
            {
                "id": "student",
                "field": "person.title",
                "regex": "student",
                "disqualify": True,
                "reason": "student",
            }
        ],
    }
    data["mql"] = mql | {"from": ["lead", "recycled"]}
    return parse_contract(yaml.safe_dump(data, sort_keys=False))


def people(*rows: tuple[int, str, dt.datetime | None]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"person_id": p, "person.title": t, "created_at": c} for p, t, c in rows],
        schema={
            "person_id": pl.Int64,
            "person.title": pl.String,
            "created_at": pl.Datetime("us", "UTC"),
        },
    )


def touches(*rows: tuple[int, dt.datetime, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"person_id": p, "occurred_at": at, "type": kind} for p, at, kind in rows],
        schema={"person_id": pl.Int64, "occurred_at": pl.Datetime("us", "UTC"), "type": pl.String},
    )


def moments(found: pl.DataFrame) -> dict[int, dt.datetime]:
    return dict(zip(found["person_id"].to_list(), found["mql_at"].to_list(), strict=True))


FORM, VIEW = "form_submit", "page_view"
T1 = START + 10 * DAY + dt.timedelta(hours=10)


def test_the_first_touch_that_lifts_engagement_over_the_bar() -> None:
    rule = contract({"min_engagement": 8})
    found = first_mql_moments(
        rule,
        people((1, "", None), (2, "", None), (3, "", None)),
        touches(
            (1, T1, FORM),
            (1, T1 + 40 * DAY, FORM),  # later touches do not move the first moment
            (2, T1, VIEW),  # matches no rule: never
            (3, START - 5 * DAY, FORM),  # before the window, and faded by its next day:
            (3, START + 2 * DAY, VIEW),  # 10 * 2^-0.7 = 6.2 < 8
            (3, START + 30 * DAY, FORM),
        ),
        start=START,
        end=END,
    )
    assert moments(found) == {1: T1, 3: START + 30 * DAY}


def test_touches_of_one_day_count_together_and_fading_ones_do_not() -> None:
    rule = contract({"min_engagement": 8}, points=5)
    found = first_mql_moments(
        rule,
        people((1, "", None), (2, "", None)),
        touches(
            # Same day: 5 + 5 = 10, at the day's last touch.
            (1, T1, FORM),
            (1, T1 + dt.timedelta(hours=3), FORM),
            # Twenty days apart: 5 * 2^-2 + 5 = 6.25, never enough.
            (2, T1, FORM),
            (2, T1 + 20 * DAY, FORM),
        ),
        start=START,
        end=END,
    )
    assert moments(found) == {1: T1 + dt.timedelta(hours=3)}


def test_fit_and_disqualification_are_respected() -> None:
    rule = contract({"min_engagement": 8, "min_grade": "A"})
    found = first_mql_moments(
        rule,
        people((1, "VP Sales", None), (2, "Sales", None), (3, "VP, student", None)),
        touches((1, T1, FORM), (2, T1, FORM), (3, T1, FORM)),
        start=START,
        end=END,
    )
    assert moments(found) == {1: T1}


def test_a_fit_only_rule_holds_from_creation() -> None:
    rule = contract({"min_grade": "A"})
    created = START + 3 * DAY
    found = first_mql_moments(
        rule,
        people((1, "VP Ops", created), (2, "VP Ops", START - DAY), (3, "Clerk", created)),
        touches((2, T1, VIEW)),
        start=START,
        end=END,
    )
    # Person 2 was created before the window: the first moment inside it is a touch.
    assert moments(found) == {1: created, 2: T1}


def test_nothing_at_or_after_the_end_counts() -> None:
    rule = contract({"min_engagement": 8})
    found = first_mql_moments(
        rule, people((1, "", None)), touches((1, END, FORM)), start=START, end=END
    )
    assert found.height == 0
    assert found.schema == {"person_id": pl.Int64, "mql_at": pl.Datetime("us", "UTC")}


def test_batching_does_not_change_the_answer() -> None:
    rule = contract({"min_engagement": 8}, points=5)
    crowd = people(*((i, "", None) for i in range(1, 40)))
    rows = [
        (i, T1 + (i % 7) * DAY + j * dt.timedelta(hours=5), FORM)
        for i in range(1, 40)
        for j in range(i % 4)
    ]
    whole = first_mql_moments(rule, crowd, touches(*rows), start=START, end=END)
    pieces = first_mql_moments(rule, crowd, touches(*rows), start=START, end=END, batch_rows=3)
    assert whole.height > 0
    assert whole.equals(pieces)


def test_the_window_must_be_a_window() -> None:
    with pytest.raises(ValueError, match="start must be before end"):
        first_mql_moments(
            contract({"min_engagement": 8}), people(), touches(), start=END, end=START
        )
