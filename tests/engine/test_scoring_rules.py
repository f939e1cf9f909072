"""Rule scoring, checked by hand on small populations."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import numpy as np
import polars as pl
import pytest
import yaml

from revloop.engine.contract import Contract, contract_to_dict, default_contract, parse_contract
from revloop.engine.scoring import (
    TOUCH_SCHEMA,
    ScoringInputError,
    decayed_points,
    people_columns,
    score_people,
    touch_columns,
)

NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def contract_with(scoring: dict[str, Any], mql: dict[str, Any] | None = None) -> Contract:
    data = copy.deepcopy(contract_to_dict(default_contract()))
    data["scoring"] = {"half_life_days": 10, "grades": {"A": 40, "B": 30, "C": 20, "D": 10}}
    data["scoring"] |= {"fit": [], "engagement": [], "negative": []} | scoring
    data["mql"] = (mql or {"min_engagement": 10}) | {"from": ["lead", "recycled"]}
    return parse_contract(yaml.safe_dump(data, sort_keys=False))


def people(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(
        list(rows),
        schema={
            "person_id": pl.Int64,
            "person.email": pl.String,
            "person.title": pl.String,
            "account.industry": pl.String,
            "account.employee_count": pl.Int64,
            "account.tier": pl.String,
        },
    )


def touches(*rows: dict[str, Any]) -> pl.DataFrame:
    defaults = {
        "type": "page_view",
        "channel": None,
        "campaign": None,
        "content_kind": None,
        "content_id": None,
        "url": None,
    }
    return pl.DataFrame(
        [defaults | row for row in rows],
        schema={
            "person_id": pl.Int64,
            "occurred_at": pl.Datetime("us", "UTC"),
            "type": pl.String,
            "channel": pl.String,
            "campaign": pl.String,
            "content_kind": pl.String,
            "content_id": pl.Int64,
            "url": pl.String,
        },
    )


NO_TOUCHES = touches()


def fit_of(contract: Contract, *rows: dict[str, Any]) -> list[float]:
    return score_people(contract, people(*rows), NO_TOUCHES, NOW).fit.tolist()


def test_text_equals_and_in_ignore_case_and_spaces() -> None:
    contract = contract_with(
        {
            "fit": [
                {"id": "tier_1", "field": "account.tier", "equals": "1", "points": 5},
                {
                    "id": "industry",
                    "field": "account.industry",
                    "in": ["Software", "fintech"],
                    "points": 7,
                },
            ]
        }
    )
    assert fit_of(
        contract,
        {"person_id": 1, "account.tier": "1", "account.industry": " SOFTWARE "},
        {"person_id": 2, "account.tier": "10", "account.industry": "FinTech"},
        {"person_id": 3, "account.tier": None, "account.industry": "retail"},
    ) == [12, 7, 0]


def test_a_range_includes_its_min_and_excludes_its_max() -> None:
    contract = contract_with(
        {
            "fit": [
                {
                    "id": "mid",
                    "field": "account.employee_count",
                    "range": {"min": 200, "max": 1000},
                    "points": 10,
                }
            ]
        }
    )
    sizes = [199, 200, 999, 1000, None]
    rows = [{"person_id": i, "account.employee_count": s} for i, s in enumerate(sizes)]
    assert fit_of(contract, *rows) == [0, 10, 10, 0, 0]


def test_regex_searches_anywhere_ignoring_case() -> None:
    contract = contract_with(
        {"fit": [{"id": "vp", "field": "person.title", "regex": r"\bvp\b", "points": 3}]}
    )
    titles = ["VP Sales", "Senior vp", "VPN admin", None]
    rows = [{"person_id": i, "person.title": t} for i, t in enumerate(titles)]
    assert fit_of(contract, *rows) == [3, 3, 0, 0]


def test_missing_means_empty_or_absent() -> None:
    contract = contract_with(
        {
            "fit": [
                {"id": "no_title", "field": "person.title", "missing": True, "points": -4},
                {
                    "id": "has_size",
                    "field": "account.employee_count",
                    "missing": False,
                    "points": 2,
                },
            ]
        }
    )
    rows = [
        {"person_id": 1, "person.title": None, "account.employee_count": 5},
        {"person_id": 2, "person.title": "   ", "account.employee_count": None},
        {"person_id": 3, "person.title": "CEO", "account.employee_count": 0},
    ]
    assert fit_of(contract, *rows) == [-2, -4, 2]


def test_the_email_domain_is_derived_from_the_email() -> None:
    contract = contract_with(
        {
            "negative": [
                {
                    "id": "free_mail",
                    "field": "person.email_domain",
                    "in": ["gmail.com"],
                    "points": -15,
                }
            ]
        }
    )
    rows = [
        {"person_id": 1, "person.email": "Ann@GMail.com"},
        {"person_id": 2, "person.email": "bo@acme.com"},
        {"person_id": 3, "person.email": "not-an-email"},
    ]
    assert fit_of(contract, *rows) == [-15, 0, 0]


def test_grades_start_at_their_threshold() -> None:
    """Grades A 40, B 30, C 20, D 10: a score exactly on a threshold gets that grade."""
    fits = [40, 39.5, 30, 20, 10, 9.5]
    contract = contract_with(
        {
            "fit": [
                {
                    "id": f"size_{n}",
                    "field": "account.employee_count",
                    "equals": n,
                    "points": points,
                }
                for n, points in enumerate(fits)
            ]
        }
    )
    frame = people(*({"person_id": n, "account.employee_count": n} for n in range(len(fits))))
    result = score_people(contract, frame, NO_TOUCHES, NOW)
    assert result.fit.tolist() == fits
    assert result.to_frame()["grade"].to_list() == ["A", "B", "B", "C", "D", "F"]


def test_a_touch_counts_half_after_one_half_life() -> None:
    ages = np.array([0.0, 10.0, 20.0, 30.0])
    assert decayed_points(8, ages, 10).tolist() == [8, 4, 2, 1]


def engagement_contract(**rule: Any) -> Contract:
    return contract_with({"engagement": [{"id": "r", "points": 10} | rule]})


def engaged(contract: Contract, *rows: dict[str, Any]) -> tuple[float, float, int]:
    result = score_people(contract, people({"person_id": 1}), touches(*rows), NOW)
    return (
        float(result.engagement_points[0, 0]),
        float(result.decayed[0, 0]),
        int(result.touch_count[0, 0]),
    )


def test_engagement_decays_by_age_and_is_capped() -> None:
    contract = engagement_contract(match={"type": "webinar"}, cap=25, half_life_days=10)
    rows = [
        {"person_id": 1, "occurred_at": NOW - age * DAY, "type": "webinar"}
        for age in (0, 0, 10, 20)
    ]
    assert engaged(contract, *rows) == (25, 10 + 10 + 5 + 2.5, 4)


def test_a_negative_engagement_rule_takes_away_at_most_its_cap() -> None:
    contract = engagement_contract(match={"url": "/careers"}, points=-10, cap=15, half_life_days=10)
    rows = [
        {"person_id": 1, "occurred_at": NOW, "url": "https://acme.example/careers/1"}
        for _ in range(3)
    ]
    assert engaged(contract, *rows) == (-15, -30, 3)


def test_future_unknown_and_anonymous_touches_do_not_count() -> None:
    contract = engagement_contract(match={"type": "page_view"})
    rows = [
        {"person_id": 1, "occurred_at": NOW + DAY},  # after "now": not yet happened
        {"person_id": 2, "occurred_at": NOW},  # nobody we score
        {"person_id": None, "occurred_at": NOW},  # anonymous
        {"person_id": 1, "occurred_at": None},  # no time
        {"person_id": 1, "occurred_at": NOW},
    ]
    result = score_people(contract, people({"person_id": 1}), touches(*rows), NOW)
    assert result.touch_count[0, 0] == 1
    assert result.last_touch_us[0] == (
        NOW - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    ) // dt.timedelta(microseconds=1)


def test_every_match_key_must_hold_and_any_listed_value_matches() -> None:
    contract = engagement_contract(
        match={
            "type": ["form_submit", "content_download"],
            "channel": "paid_social",
            "campaign": "Q1 Launch",
            "content_kind": "white_paper",
            "content_id": [7, 8],
            "url": r"/resources/",
        }
    )
    good = {
        "person_id": 1,
        "occurred_at": NOW,
        "type": "content_download",
        "channel": "paid_social",
        "campaign": "q1 launch",
        "content_kind": "white_paper",
        "content_id": 8,
        "url": "https://acme.example/resources/guide",
    }
    assert engaged(contract, good)[2] == 1
    for key, wrong in [
        ("type", "page_view"),
        ("channel", "email"),
        ("campaign", "Q2"),
        ("content_kind", "ebook"),
        ("content_id", 9),
        ("url", "https://acme.example/blog"),
        ("url", None),
    ]:
        assert engaged(contract, good | {key: wrong})[2] == 0, key


def test_a_touch_scores_under_every_rule_it_matches() -> None:
    contract = contract_with(
        {
            "engagement": [
                {"id": "download", "match": {"type": "content_download"}, "points": 8},
                {"id": "proof", "match": {"content_kind": "case_study"}, "points": 5},
            ]
        }
    )
    row = {
        "person_id": 1,
        "occurred_at": NOW,
        "type": "content_download",
        "content_kind": "case_study",
    }
    result = score_people(contract, people({"person_id": 1}), touches(row), NOW)
    assert result.engagement.tolist() == [13]


def test_mql_needs_every_threshold_and_no_disqualification() -> None:
    contract = contract_with(
        {
            "fit": [{"id": "vp", "field": "person.title", "regex": "vp", "points": 30}],
            "engagement": [{"id": "demo", "match": {"type": "form_submit"}, "points": 20}],
            "negative": [
                {
                    "id": "rival",
                    "field": "person.email_domain",
                    "in": ["rival.example"],
                    "disqualify": True,
                    "reason": "competitor",
                }
            ],
        },
        mql={"min_engagement": 20, "min_grade": "B"},
    )
    frame = people(
        {"person_id": 1, "person.title": "VP", "person.email": "a@acme.example"},
        {"person_id": 2, "person.title": "Analyst", "person.email": "b@acme.example"},
        {"person_id": 3, "person.title": "VP", "person.email": "c@rival.example"},
        {"person_id": 4, "person.title": "VP", "person.email": "d@acme.example"},
    )
    demo = [{"person_id": i, "occurred_at": NOW, "type": "form_submit"} for i in (1, 2, 3)]
    result = score_people(contract, frame, touches(*demo), NOW)
    assert result.mql_eligible.tolist() == [True, False, False, False]
    assert result.disqualified.tolist() == [False, False, True, False]
    assert result.disqualify_reasons().tolist() == [None, None, "competitor", None]


def test_rows_come_back_in_person_id_order() -> None:
    contract = engagement_contract(match={"type": "page_view"})
    frame = people({"person_id": 30}, {"person_id": 10}, {"person_id": 20})
    rows = [{"person_id": 20, "occurred_at": NOW}]
    result = score_people(contract, frame, touches(*rows), NOW)
    assert result.person_id.tolist() == [10, 20, 30]
    assert result.engagement.tolist() == [0, 10, 0]


def test_sparse_person_ids_use_binary_search_with_the_same_result() -> None:
    contract = engagement_contract(match={"type": "page_view"})
    frame = people({"person_id": 5}, {"person_id": 10**12}, {"person_id": -7})
    rows = [{"person_id": 10**12, "occurred_at": NOW}, {"person_id": 6, "occurred_at": NOW}]
    result = score_people(contract, frame, touches(*rows), NOW)
    assert result.engagement.tolist() == [0, 0, 10]


def test_enum_categorical_and_text_columns_score_alike() -> None:
    contract = default_contract()
    rows = [
        {
            "person_id": i % 4,
            "occurred_at": NOW - i * DAY,
            "type": ["page_view", "webinar", "form_submit", "content_download"][i % 4],
            "content_kind": [None, "case_study", "demo_request", "white_paper"][i % 4],
            "url": ["/pricing", "/careers", None, "/x"][i % 4],
        }
        for i in range(40)
    ]
    plain = touches(*rows)
    typed = plain.cast({k: v for k, v in TOUCH_SCHEMA.items() if k in plain.columns})
    categorical = plain.cast({"type": pl.Categorical, "url": pl.Categorical})
    frame = people(*({"person_id": i} for i in range(4))).with_columns(
        pl.lit(None, pl.String).alias(name)
        for name in people_columns(contract)
        if name
        not in (
            "person_id",
            "person.title",
            "person.email",
            "account.industry",
            "account.employee_count",
            "account.tier",
        )
    )
    expected = score_people(contract, frame, plain, NOW)
    for variant in (typed, categorical):
        result = score_people(contract, frame, variant, NOW)
        assert np.array_equal(result.engagement_points, expected.engagement_points)


def test_to_frame_has_one_row_per_person() -> None:
    contract = engagement_contract(match={"type": "page_view"})
    result = score_people(
        contract,
        people({"person_id": 1}, {"person_id": 2}),
        touches({"person_id": 1, "occurred_at": NOW - DAY}),
        NOW,
    )
    frame = result.to_frame()
    assert frame.columns == [
        "person_id",
        "fit",
        "grade",
        "engagement",
        "total",
        "mql_eligible",
        "disqualified",
        "disqualify_reason",
        "last_touch_at",
    ]
    assert frame["grade"].to_list() == ["F", "F"]
    assert frame["last_touch_at"].to_list() == [NOW - DAY, None]


def test_the_contract_says_which_columns_it_needs() -> None:
    contract = default_contract()
    assert people_columns(contract)[0] == "person_id"
    assert "person.email_domain" in people_columns(contract)
    assert touch_columns(contract) == ("person_id", "occurred_at", "type", "content_kind", "url")


def test_bad_inputs_are_named() -> None:
    contract = engagement_contract(match={"type": "page_view"})
    one = people({"person_id": 1})
    with pytest.raises(ValueError, match="timezone-aware"):
        score_people(contract, one, NO_TOUCHES, dt.datetime(2026, 1, 1))
    naive = NO_TOUCHES.cast({"occurred_at": pl.Datetime("us")})
    with pytest.raises(ScoringInputError, match=r"touches.occurred_at: must be a timezone-aware"):
        score_people(contract, one, naive, NOW)
    with pytest.raises(ScoringInputError, match=r"people.person_id: person 1 appears twice"):
        score_people(contract, people({"person_id": 1}, {"person_id": 1}), NO_TOUCHES, NOW)
    with pytest.raises(ScoringInputError, match="touches: missing column 'type'"):
        score_people(contract, one, NO_TOUCHES.drop("type"), NOW)
    fit = contract_with(
        {"fit": [{"id": "x", "field": "account.region", "equals": "emea", "points": 1}]}
    )
    with pytest.raises(ScoringInputError, match=r"people: missing column 'account.region'"):
        score_people(fit, one, NO_TOUCHES, NOW)
    sized = contract_with(
        {"fit": [{"id": "x", "field": "account.employee_count", "range": {"min": 1}, "points": 1}]}
    )
    text_sizes = one.with_columns(pl.lit("big").alias("account.employee_count"))
    with pytest.raises(ScoringInputError, match=r"account.employee_count: must hold numbers"):
        score_people(sized, text_sizes, NO_TOUCHES, NOW)


def test_nobody_to_score_is_fine() -> None:
    result = score_people(
        default_contract(),
        people().with_columns(
            pl.lit(None, pl.String).alias(c)
            for c in ("account.name", "account.country", "account.region")
        ),
        NO_TOUCHES,
        NOW,
    )
    assert len(result) == 0
    assert result.to_frame().height == 0
