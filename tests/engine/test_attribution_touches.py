"""Building journeys from touch rows: ordering, the lookback window, milestones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from revloop.engine.attribution import (
    NO_STEP,
    Outcomes,
    Touches,
    as_datetime64,
    build_journeys,
    time_decay,
    w_shaped,
)


def day(n: int) -> datetime:
    return datetime(2026, 1, 1) + timedelta(days=n - 1)


TOUCHES = Touches(
    journey=np.array(["p1", "p1", "p1", "p1", "p2", "p2", "p3"]),
    at=as_datetime64([day(1), day(10), day(20), day(25), day(3), day(2), day(1)]),
    label=np.array(["email", "ads", "web", "webinar", "web", "email", "ads"]),
)
OUTCOMES = Outcomes(
    journey=np.array(["p1", "p3", "p4"]),
    converted=np.array([True, True, False]),
    converted_at=as_datetime64([day(22), day(32), None]),
    value=np.array([500.0, 100.0, 7.0]),
    lead_created_at=as_datetime64([day(5), None, None]),
    opportunity_created_at=as_datetime64([day(15), None, None]),
)


def test_lookback_and_conversion_bound_the_window() -> None:
    journeys = build_journeys(TOUCHES, OUTCOMES, lookback=timedelta(days=14))
    # p1: email (21 days before converting) is outside the 14-day lookback, the webinar
    # came after the conversion; p2 did not convert (no outcome row) and is sorted by
    # time; p3's only touch is 31 days old, so its conversion cannot be attributed.
    assert journeys.channels == ("ads", "email", "web")
    assert [journeys.path_labels(p) for p in range(journeys.n_paths)] == [
        ("ads", "web"),
        ("email", "web"),
    ]
    assert journeys.conversions.tolist() == [1, 0]
    assert journeys.nulls.tolist() == [0, 1]
    assert journeys.value.tolist() == [500, 0]
    assert journeys.unattributed_conversions == 1
    assert journeys.unattributed_value == 100
    # ages: p1 12 and 2 days before converting; p2 relative to its own last touch
    assert journeys.ages_days is not None
    assert journeys.ages_days.tolist() == [12, 2, 1, 0]


def test_milestones_are_the_last_touch_at_or_before_them() -> None:
    journeys = build_journeys(TOUCHES, OUTCOMES, lookback=timedelta(days=14))
    assert journeys.opportunity_step is not None
    assert journeys.lead_step is not None
    # opportunity on day 15: ads (day 10) is the last counted touch before it
    assert journeys.opportunity_step.tolist() == [0, NO_STEP]
    # lead on day 5: its touch (email, day 1) fell outside the lookback
    assert journeys.lead_step.tolist() == [NO_STEP, NO_STEP]
    # W-shaped: ads is first and opportunity touch (60%), web last (30%), no rest
    # touch takes the 10% -> rescaled to 2/3 and 1/3
    assert w_shaped(journeys).conversions_by_channel() == pytest.approx(
        {"ads": 2 / 3, "email": 0, "web": 1 / 3}
    )


def test_without_lookback_every_touch_up_to_the_conversion_counts() -> None:
    journeys = build_journeys(TOUCHES, OUTCOMES)
    assert journeys.path_labels(0) == ("email", "ads", "web")
    assert journeys.path_labels(2) == ("ads",)  # p3 converts with its old touch
    assert journeys.unattributed_conversions == 0
    # time decay over 21, 12 and 2 days, half-life 7
    weights = np.exp2(-np.array([21, 12, 2]) / 7)
    expected = weights / weights.sum()
    result = time_decay(journeys).conversions_by_channel()
    assert result["email"] == pytest.approx(expected[0])
    assert result["ads"] == pytest.approx(expected[1] + 1)  # + p3's single touch


def test_aware_datetimes_are_compared_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert as_datetime64([datetime(2026, 1, 1, 2, tzinfo=plus_two)])[0] == np.datetime64(
        "2026-01-01T00:00"
    )
    assert as_datetime64([datetime(2026, 1, 1, tzinfo=UTC), None]).tolist()[1] is None


def test_journeys_without_any_outcome_row() -> None:
    empty = Outcomes(
        journey=np.array([], dtype=str),
        converted=np.array([], dtype=bool),
        converted_at=np.array([], dtype="datetime64[us]"),
    )
    journeys = build_journeys(TOUCHES, empty)
    assert journeys.total_conversions == 0
    assert journeys.nulls.tolist() == [1, 1, 1]


def test_bad_outcomes_are_named() -> None:
    duplicated = Outcomes(
        journey=np.array(["p1", "p1"]),
        converted=np.array([True, True]),
        converted_at=as_datetime64([day(2), day(3)]),
    )
    with pytest.raises(ValueError, match="journey 'p1' appears more than once"):
        build_journeys(TOUCHES, duplicated)
    untimed = Outcomes(
        journey=np.array(["p2"]), converted=np.array([True]), converted_at=as_datetime64([None])
    )
    with pytest.raises(ValueError, match="journey 'p2' converted but has no converted_at"):
        build_journeys(TOUCHES, untimed)


def test_touches_at_the_same_moment_keep_their_input_order() -> None:
    touches = Touches(
        journey=np.array([7, 7, 7, 3]),
        at=as_datetime64([day(2), day(2), day(1), day(1)]),
        label=np.array(["zeta", "alpha", "mid", "other"]),
    )
    journeys = build_journeys(
        touches, Outcomes(np.array([7]), np.array([True]), as_datetime64([day(3)]))
    )
    assert journeys.path_labels(0) == ("other",)  # journey 3 sorts first
    assert journeys.path_labels(1) == ("mid", "zeta", "alpha")
