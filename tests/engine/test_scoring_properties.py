"""Properties of the scoring maths on generated populations (hypothesis).

- Decay never rewards age: an older touch is worth no more than a newer one.
- No rule ever adds (or takes away) more than its cap.
- The explanation's lines add up exactly to the scores.
- Scores do not depend on the order of touches or people.
- Rescoring only the changed people equals a full rescore, bit for bit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revloop.engine.contract import default_contract
from revloop.engine.scoring import (
    ScoreResult,
    Section,
    decayed_points,
    explain,
    rescore_changed,
    score_people,
)
from revloop.engine.scoring.result import ARRAY_FIELDS

CONTRACT = default_contract()
NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TITLES = [None, "", "VP Sales", "Head of IT", "Marketing Manager", "Student", "CTO", "test"]
INDUSTRIES = [None, "software", "Retail", "manufacturing"]
DOMAINS = ["acme.example", "gmail.com", "rivalcrm.example", "uni.edu", "globex.example"]
TYPES = ["page_view", "form_submit", "webinar", "content_download", "email_click", "chat", "event"]
KINDS = [None, "demo_request", "case_study", "white_paper", "datasheet"]
URLS = [None, "https://acme.example/pricing", "https://acme.example/careers/3", "/blog/x"]

PEOPLE_SCHEMA = {
    "person_id": pl.Int64,
    "person.email": pl.String,
    "person.title": pl.String,
    "account.name": pl.String,
    "account.industry": pl.String,
    "account.employee_count": pl.Int64,
    "account.country": pl.String,
    "account.region": pl.String,
    "account.tier": pl.String,
}
TOUCH_SCHEMA = {
    "person_id": pl.Int64,
    "occurred_at": pl.Datetime("us", "UTC"),
    "type": pl.String,
    "content_kind": pl.String,
    "url": pl.String,
}


@st.composite
def populations(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    ids = draw(st.lists(st.integers(1, 40), min_size=1, max_size=12, unique=True))
    people = [
        {
            "person_id": pid,
            "person.email": f"p{pid}@{draw(st.sampled_from(DOMAINS))}",
            "person.title": draw(st.sampled_from(TITLES)),
            "account.name": draw(st.sampled_from([None, "Acme"])),
            "account.industry": draw(st.sampled_from(INDUSTRIES)),
            "account.employee_count": draw(st.sampled_from([None, 10, 60, 200, 4999, 9000])),
            "account.country": draw(st.sampled_from([None, "US", "NO", "BR"])),
            "account.region": draw(st.sampled_from([None, "NA", "EMEA", "APAC"])),
            "account.tier": draw(st.sampled_from([None, "1", "2"])),
        }
        for pid in ids
    ]
    touch = st.fixed_dictionaries(
        {
            # Some touches belong to nobody we score, or to nobody at all.
            "person_id": st.one_of(st.sampled_from(ids), st.just(999), st.none()),
            "occurred_at": st.integers(-86_400 * 3, 86_400 * 400).map(
                lambda seconds: NOW - dt.timedelta(seconds=seconds)
            ),
            "type": st.sampled_from(TYPES),
            "content_kind": st.sampled_from(KINDS),
            "url": st.sampled_from(URLS),
        }
    )
    rows = draw(st.lists(touch, max_size=60))
    return pl.DataFrame(people, schema=PEOPLE_SCHEMA), pl.DataFrame(rows, schema=TOUCH_SCHEMA)


def assert_same(left: ScoreResult, right: ScoreResult) -> None:
    for name in ARRAY_FIELDS:
        assert np.array_equal(getattr(left, name), getattr(right, name)), name


@PROPERTY
@given(
    points=st.floats(0.01, 10_000),
    half_life=st.floats(0.01, 1_000),
    ages=st.lists(st.floats(0, 10_000), min_size=2, max_size=30),
)
def test_decay_is_monotone_in_age(points: float, half_life: float, ages: list[float]) -> None:
    values = decayed_points(points, np.sort(np.asarray(ages)), half_life)
    assert np.all(np.diff(values) <= 0)
    assert np.all(values >= 0)
    assert values[0] <= points + 2**-20


@PROPERTY
@given(populations(), st.integers(1, 400))
def test_time_only_fades_engagement(
    population: tuple[pl.DataFrame, pl.DataFrame], days_later: int
) -> None:
    people, touches = population
    past = touches.filter(pl.col("occurred_at") <= NOW)
    now = score_people(CONTRACT, people, past, NOW)
    later = score_people(CONTRACT, people, past, NOW + dt.timedelta(days=days_later))
    assert np.all(np.abs(later.engagement_points) <= np.abs(now.engagement_points))
    assert np.array_equal(later.touch_count, now.touch_count)


@PROPERTY
@given(populations())
def test_caps_are_respected(population: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    result = score_people(CONTRACT, *population, NOW)
    for column, rule in enumerate(CONTRACT.scoring.engagement):
        contribution = result.engagement_points[:, column]
        if rule.cap is not None:
            assert np.all(np.abs(contribution) <= rule.cap)
        # A cap only ever shrinks a rule's total, and keeps its sign.
        decayed = result.decayed[:, column]
        assert np.all(np.abs(contribution) <= np.abs(decayed))
        assert np.all(contribution * decayed >= 0)


@PROPERTY
@given(populations())
def test_the_explanation_adds_up_to_the_score_exactly(
    population: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    result = score_people(CONTRACT, *population, NOW)
    for pid in result.person_id.tolist():
        why = explain(result, pid)
        fit_lines = [line.points for line in why.lines if line.section is not Section.ENGAGEMENT]
        engagement_lines = [line.points for line in why.lines if line.section is Section.ENGAGEMENT]
        assert sum(fit_lines) == why.fit
        assert sum(engagement_lines) == why.engagement
        assert sum(line.points for line in why.lines) == why.total == why.fit + why.engagement
        # In any order, too: every line sits on the same exact grid.
        assert sum(reversed([line.points for line in why.lines])) == why.total


@PROPERTY
@given(populations(), st.randoms(use_true_random=False))
def test_scores_do_not_depend_on_row_order(
    population: tuple[pl.DataFrame, pl.DataFrame], random: Any
) -> None:
    people, touches = population
    expected = score_people(CONTRACT, people, touches, NOW)
    people_order = list(range(people.height))
    touch_order = list(range(touches.height))
    random.shuffle(people_order)
    random.shuffle(touch_order)
    shuffled = score_people(CONTRACT, people[people_order], touches[touch_order], NOW)
    assert_same(shuffled, expected)


@PROPERTY
@given(populations(), st.data())
def test_incremental_rescoring_equals_a_full_run(
    population: tuple[pl.DataFrame, pl.DataFrame], data: st.DataObject
) -> None:
    people, touches = population
    is_new = data.draw(st.lists(st.booleans(), min_size=touches.height, max_size=touches.height))
    new = pl.Series(is_new, dtype=pl.Boolean)
    # Newcomers: some people are only in the second run.
    newcomers = set(data.draw(st.sets(st.sampled_from(people["person_id"].to_list()))))
    before_people = people.filter(~pl.col("person_id").is_in(list(newcomers)))
    if before_people.height == 0:
        before_people = people.head(1)
    previous = score_people(CONTRACT, before_people, touches.filter(~new), NOW)

    changed = set(touches.filter(new)["person_id"].drop_nulls().to_list()) | newcomers
    changed_people = people.filter(pl.col("person_id").is_in(list(changed)))
    their_touches = touches.filter(pl.col("person_id").is_in(list(changed)))
    incremental = rescore_changed(previous, changed_people, their_touches)

    everyone = people.filter(
        pl.col("person_id").is_in(before_people["person_id"].to_list() + list(changed))
    )
    assert_same(incremental, score_people(CONTRACT, everyone, touches, NOW))
