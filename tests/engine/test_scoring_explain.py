"""The explanation a rep or a marketer reads: every rule that fired, decay and caps shown."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from revloop.engine.contract import default_contract
from revloop.engine.scoring import RuleLine, ScoreResult, Section, explain, score_people

NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)

PEOPLE = pl.DataFrame(
    {
        "person_id": [1, 2],
        "person.email": ["vera@acme.example", "sam@uni.edu"],
        "person.title": ["VP Operations", "PhD student"],
        "account.name": ["Acme", None],
        "account.industry": ["manufacturing", None],
        "account.employee_count": [800, None],
        "account.country": ["DE", None],
        "account.region": ["EMEA", None],
        "account.tier": [None, None],
    }
)
TOUCHES = pl.DataFrame(
    {
        "person_id": [1, 1, 1, 1, 1, 2],
        "occurred_at": [NOW, NOW - 30 * DAY, NOW - 30 * DAY, NOW - 30 * DAY, NOW - 60 * DAY, NOW],
        "type": ["form_submit", "page_view", "page_view", "page_view", "page_view", "webinar"],
        "content_kind": ["demo_request", None, None, None, None, None],
        "url": [None, "/pricing", "/pricing", "/pricing", "/pricing", None],
    },
    schema_overrides={"occurred_at": pl.Datetime("us", "UTC")},
)


@pytest.fixture(scope="module")
def result() -> ScoreResult:
    return score_people(default_contract(), PEOPLE, TOUCHES, NOW)


def test_each_rule_that_fired_is_a_line(result: ScoreResult) -> None:
    why = explain(result, 1)
    assert [(line.section, line.rule_id) for line in why.lines] == [
        (Section.FIT, "target_industry"),
        (Section.FIT, "core_size"),
        (Section.FIT, "senior_title"),
        (Section.FIT, "fleet_role"),
        (Section.FIT, "served_region"),
        (Section.ENGAGEMENT, "demo_request"),
        (Section.ENGAGEMENT, "pricing_page"),
        (Section.ENGAGEMENT, "page_view"),
    ]
    assert (why.fit, why.grade, why.mql_eligible) == (85, "A", True)


def test_a_line_shows_points_before_and_after_decay_and_the_cap(result: ScoreResult) -> None:
    pricing = next(line for line in explain(result, 1).lines if line.rule_id == "pricing_page")
    # Three views 30 days ago (one half-life) and one 60 days ago: 5 + 5 + 5 + 2.5.
    assert pricing == RuleLine(
        Section.ENGAGEMENT,
        "pricing_page",
        "Looked at pricing",
        points=17.5,
        base_points=40,
        decayed_points=17.5,
        touches=4,
        cap=30,
        cap_hit=False,
    )


def test_a_cap_that_bites_is_flagged() -> None:
    many = pl.DataFrame(
        {
            "person_id": [1] * 5,
            "occurred_at": [NOW] * 5,
            "type": ["webinar"] * 5,
            "content_kind": [None] * 5,
            "url": [None] * 5,
        },
        schema_overrides={
            "occurred_at": pl.Datetime("us", "UTC"),
            "content_kind": pl.String,
            "url": pl.String,
        },
    )
    result = score_people(default_contract(), PEOPLE, many, NOW)
    webinar = next(line for line in explain(result, 1).lines if line.rule_id == "webinar")
    assert (webinar.points, webinar.decayed_points, webinar.cap_hit) == (30, 75, True)
    assert "5 touches, 75 before decay, 75 after, capped at 30" in explain(result, 1).render()


def test_disqualification_is_explained(result: ScoreResult) -> None:
    why = explain(result, 2)
    assert why.disqualify_reason == "student"
    student = next(line for line in why.lines if line.rule_id == "student")
    assert student.disqualifies
    assert not why.mql_eligible
    text = why.render()
    assert "Student or academic [student] — disqualifies (student)" in text
    assert "MQL eligible: no (disqualified: student; engagement 15 < 40; grade F < B)" in text


def test_the_rendered_explanation_reads_top_down(result: ScoreResult) -> None:
    lines = explain(result, 1).render().splitlines()
    assert lines[0] == (
        "Score 153.2 = fit 85 (grade A) + engagement 68.2, as of 2026-11-02 12:00 UTC"
    )
    assert lines[1] == "Fit:"
    assert lines[-1] == "MQL eligible: yes (engagement 68.2 ≥ 40; grade A ≥ B)"


def test_the_json_form_is_plain_data(result: ScoreResult) -> None:
    data = explain(result, 1).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["last_touch_at"] == "2026-11-02T12:00:00+00:00"
    assert data["checks"][0] == {
        "name": "engagement",
        "value": "68.2",
        "threshold": "40",
        "passed": True,
    }


def test_an_unknown_person_is_a_key_error(result: ScoreResult) -> None:
    with pytest.raises(KeyError, match="person 3 was not scored"):
        explain(result, 3)
