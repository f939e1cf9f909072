"""Funnel counts, rates and durations, checked by hand on eight people.

Cohorts (creation month, 2026) and histories; times at midnight UTC, so durations
are whole days:

    Jan  p1  mql 01-10, sal 01-12, sql 01-20, opportunity 02-01, customer 03-01
    Jan  p2  mql 01-05, disqualified 01-06
    Jan  p3  mql 01-15                                   (still an MQL)
    Jan  p8  mql 01-06, recycled 01-08, mql 01-20, sal 01-22
    Feb  p4  mql 02-02, sal 02-04, recycled 02-10
    Feb  p5  (a lead, nothing else)
    Feb  p6  sql 02-05                                   (skipped MQL and SAL)
    Mar  p7  mql 03-11
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from revloop.engine.analytics import Tables, funnel, tables_from_arrow
from tests.analytics.demo_data import (
    SOURCES,
    Frames,
    frames_from_rows,
    postgres_tables,
    sqlite_tables,
)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC)


HISTORY: dict[int, tuple[datetime, list[tuple[str, datetime]], str]] = {
    1: (
        at(1, 2),
        [
            ("mql", at(1, 10)),
            ("sal", at(1, 12)),
            ("sql", at(1, 20)),
            ("opportunity", at(2, 1)),
            ("customer", at(3, 1)),
        ],
        "referral",
    ),
    2: (at(1, 3), [("mql", at(1, 5)), ("disqualified", at(1, 6))], "paid_social"),
    3: (at(1, 4), [("mql", at(1, 15))], "referral"),
    8: (
        at(1, 5),
        [("mql", at(1, 6)), ("recycled", at(1, 8)), ("mql", at(1, 20)), ("sal", at(1, 22))],
        "paid_social",
    ),
    4: (at(2, 1), [("mql", at(2, 2)), ("sal", at(2, 4)), ("recycled", at(2, 10))], "referral"),
    5: (at(2, 2), [], "paid_social"),
    6: (at(2, 3), [("sql", at(2, 5))], "referral"),
    7: (at(3, 10), [("mql", at(3, 11))], ""),
}


def tiny_frames(extra_people: list[dict[str, Any]] | None = None) -> Frames:
    people = []
    transitions = []
    for person, (created, moves, source) in HISTORY.items():
        stage, changed = ("lead", created) if not moves else moves[-1]
        people.append(
            {
                "id": person,
                "stage": stage,
                "stage_changed_at": changed,
                "created_at": created,
                "source": source,
            }
        )
        previous = "lead"
        for to_stage, when in moves:
            transitions.append(
                {
                    "id": len(transitions) + 1,
                    "person_id": person,
                    "from_stage": previous,
                    "to_stage": to_stage,
                    "at": when,
                }
            )
            previous = to_stage
    people += extra_people or []
    return frames_from_rows({"people_person": people, "lifecycle_stagetransition": transitions})


@pytest.fixture(params=["sqlite", "duckdb", "postgres"])
def tiny(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    frames = tiny_frames()
    if request.param == "sqlite":
        yield sqlite_tables(frames, tmp_path / "tiny.sqlite3")
    elif request.param == "duckdb":
        yield tables_from_arrow(frames, SOURCES)
    else:
        with postgres_tables(frames, request.getfixturevalue("pg_url")) as tables:
            yield tables


def counts(row: dict[str, Any]) -> tuple[int, int, int, int]:
    return (row["entered"], row["converted"], row["lost"], row["still_open"])


def test_counts_every_step_with_censoring(tiny: Tables) -> None:
    report = funnel(tiny)
    assert counts(report.step("lead", "mql")) == (8, 7, 0, 1)
    assert counts(report.step("mql", "sal")) == (7, 4, 1, 2)
    assert counts(report.step("sal", "sql")) == (4, 2, 1, 1)
    assert counts(report.step("sql", "opportunity")) == (2, 1, 0, 1)
    assert counts(report.step("opportunity", "customer")) == (1, 1, 0, 0)
    assert counts(report.step("lead", "customer")) == (8, 1, 2, 5)


def test_rates_count_only_known_outcomes(tiny: Tables) -> None:
    step = funnel(tiny).step("mql", "sal")
    assert step["conversion_rate"] == pytest.approx(4 / 5)
    assert step["naive_rate"] == pytest.approx(4 / 7)
    assert step["drop_off_rate"] == pytest.approx(1 / 5)


def test_time_in_stage_is_measured_on_people_who_left(tiny: Tables) -> None:
    step = funnel(tiny).step("mql", "sal")
    # Converted after 2, 16 (from the first MQL), 2 and 0 (skipped) days; lost after 1.
    in_stage = np.array([2, 16, 2, 0, 1], dtype=float)
    to_convert = np.array([2, 16, 2, 0], dtype=float)
    assert step["days_in_stage_n"] == 5
    assert step["days_to_convert_n"] == 4
    for q in (25, 50, 75, 90):
        assert step[f"days_in_stage_p{q}"] == pytest.approx(np.quantile(in_stage, q / 100))
        assert step[f"days_to_convert_p{q}"] == pytest.approx(np.quantile(to_convert, q / 100))
    overall = funnel(tiny).step("lead", "customer")
    assert overall["days_to_convert_p50"] == pytest.approx((at(3, 1) - at(1, 2)).days)


def test_as_of_censors_later_events_and_people(tiny: Tables) -> None:
    report = funnel(tiny, as_of=at(1, 21))
    assert counts(report.step("lead", "mql")) == (4, 4, 0, 0)
    # p8 is an MQL again on Jan 21: open, not lost, although recycled once.
    assert counts(report.step("mql", "sal")) == (4, 1, 1, 2)
    assert counts(report.step("sql", "opportunity")) == (1, 0, 0, 1)
    assert counts(report.step("lead", "customer")) == (4, 0, 1, 3)


def test_people_stay_in_the_cohort_they_entered(tiny: Tables) -> None:
    report = funnel(tiny, by="cohort")
    # p1 became a customer in March and still counts in January.
    assert counts(report.step("lead", "customer", cohort="2026-01")) == (4, 1, 1, 2)
    assert counts(report.step("lead", "customer", cohort="2026-02")) == (3, 0, 1, 2)
    assert counts(report.step("lead", "customer", cohort="2026-03")) == (1, 0, 0, 1)
    february = funnel(tiny, cohort_from=date(2026, 2, 1), cohort_to=date(2026, 3, 1))
    assert counts(february.step("lead", "mql")) == (3, 2, 0, 1)
    assert counts(february.step("sal", "sql")) == (2, 1, 1, 0)


def test_slices_and_json(tiny: Tables) -> None:
    report = funnel(tiny, by="source")
    assert counts(report.step("mql", "sal", source="referral")) == (4, 3, 0, 1)
    assert counts(report.step("mql", "sal", source="paid_social")) == (2, 1, 1, 0)
    assert counts(report.step("lead", "mql", source="(none)")) == (1, 1, 0, 0)
    document = report.as_dict()
    assert document["dimensions"] == ["source"]
    assert {row["source"] for row in document["steps"]} == {"referral", "paid_social", "(none)"}


def test_a_stage_without_history_counts_from_when_it_was_set() -> None:
    imported = {
        "id": 9,
        "stage": "sql",
        "stage_changed_at": at(3, 2),
        "created_at": at(3, 1),
    }
    report = funnel(
        tables_from_arrow(tiny_frames([imported]), SOURCES), cohort_from=date(2026, 3, 1)
    )
    assert counts(report.step("mql", "sal")) == (2, 1, 0, 1)
    assert counts(report.step("sal", "sql")) == (1, 1, 0, 0)
    assert report.step("sal", "sql")["days_to_convert_p50"] == 0


def test_every_slice_dimension_runs_and_agrees_across_engines(
    demo_sqlite: Tables, demo_duckdb: Tables
) -> None:
    from polars.testing import assert_frame_equal

    dimensions = ("channel", "campaign", "content", "segment", "icp_grade", "rep", "cohort")
    for by in (dimensions[:2], dimensions[2:5], dimensions[5:]):
        on_sqlite = funnel(demo_sqlite, by=by).steps
        assert on_sqlite.height > 0
        assert_frame_equal(on_sqlite, funnel(demo_duckdb, by=by).steps, check_exact=False)


def test_a_narrow_copy_is_enough_for_each_slice(demo_sqlite: Tables) -> None:
    from polars.testing import assert_frame_equal

    from revloop.engine.analytics import funnel_columns, materialize

    for by in (("rep", "segment"), ("content", "channel")):
        narrow = materialize(demo_sqlite, columns=funnel_columns(by))
        assert_frame_equal(funnel(narrow, by=by).steps, funnel(demo_sqlite, by=by).steps)


def test_unknown_dimension_is_refused(demo_duckdb: Tables) -> None:
    with pytest.raises(ValueError, match="unknown funnel dimension"):
        funnel(demo_duckdb, by="weather")
