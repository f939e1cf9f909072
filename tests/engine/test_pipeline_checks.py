"""Each honest-pipeline check on a deal that should be flagged and on one that should not.

Deals are judged as they stand at NOW; thresholds are the contract's defaults unless
a test says otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from revloop.engine.contract import PipelineChecks
from revloop.engine.pipeline import Check, CheckResult, check_pipeline, open_at
from tests.engine.pipeline_history import NOW, History, days_ago

CHECKS = PipelineChecks()


def run(history: History, checks: PipelineChecks = CHECKS) -> CheckResult:
    data = history.data()
    return check_pipeline(data, open_at(data, NOW), checks, now=NOW)


def flagged(result: CheckResult, check: Check) -> dict[int, dict[str, object]]:
    return {f.opportunity: f.evidence for f in result.flags if f.check is check}


def test_no_activity_flags_a_deal_nobody_touched_for_30_days() -> None:
    history = (
        History()
        .deal(1, created=days_ago(60))
        .touch(1, days_ago(45))
        .deal(2, created=days_ago(60))
        .touch(2, days_ago(10))
    )
    found = flagged(run(history), Check.NO_ACTIVITY)
    assert list(found) == [1]
    assert found[1]["last_activity"] == days_ago(45).date().isoformat()
    assert found[1]["days_without_activity"] == 45.0


def test_no_activity_counts_from_creation_and_ignores_touches_before_it() -> None:
    history = (
        History().deal(1, created=days_ago(40)).touch(1, days_ago(50)).deal(2, created=days_ago(20))
    )
    found = flagged(run(history), Check.NO_ACTIVITY)
    assert list(found) == [1]
    assert found[1]["last_activity"] is None
    assert found[1]["activities_since_created"] == 0


def test_close_date_pushed_three_times_is_flagged_twice_is_not() -> None:
    history = History().deal(1, created=days_ago(120)).deal(2, created=days_ago(120))
    for i, (old, new) in enumerate(
        [("2026-08-01", "2026-09-01"), ("2026-09-01", "2026-10-01"), ("2026-10-01", "2026-12-01")]
    ):
        history.change(1, days_ago(100 - 30 * i), "close_date", old, new)
        if i < 2:
            history.change(2, days_ago(100 - 30 * i), "close_date", old, new)
    # Pulling a date in is not a push.
    history.change(2, days_ago(5), "close_date", "2026-10-01", "2026-09-25")
    found = flagged(run(history), Check.CLOSE_DATE_PUSHED)
    assert list(found) == [1]
    assert found[1]["pushes"] == 3
    assert found[1]["first_close_date"] == "2026-08-01"
    assert found[1]["latest_close_date"] == "2026-12-01"


def test_past_due_beyond_the_grace_days() -> None:
    history = (
        History()
        .deal(1, created=days_ago(90), close_date=(NOW - dt.timedelta(days=20)).date())
        .deal(2, created=days_ago(90), close_date=(NOW - dt.timedelta(days=3)).date())
    )
    found = flagged(run(history), Check.PAST_DUE)
    assert list(found) == [1]
    assert found[1]["days_past_due"] == 20


def test_a_burst_is_measured_against_the_reps_own_usual_rate() -> None:
    """Rep 1 creates a deal every 4 days all year and 12 in the last 10 days of Q3;
    rep 2 creates one every day, so 10 at the end of the quarter is their usual."""
    history = History()
    start = dt.datetime(2025, 11, 21, tzinfo=dt.UTC)
    next_id = 1
    for day in range(0, 360, 4):
        history.deal(next_id, created=start + dt.timedelta(days=day), owner=1)
        next_id += 1
    q3_end = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    stuffed = []
    for hours in range(12):
        history.deal(next_id, created=q3_end - dt.timedelta(days=1 + hours * 0.5), owner=1)
        stuffed.append(next_id)
        next_id += 1
    busy = []
    for day in range(360):
        created = start + dt.timedelta(days=day, hours=12)
        history.deal(next_id, created=created, owner=2)
        if q3_end - dt.timedelta(days=10) <= created < q3_end:
            busy.append(next_id)
        next_id += 1
    found = flagged(run(history), Check.END_OF_QUARTER_BURST)
    assert set(stuffed) <= set(found)
    assert not set(busy) & set(found)
    evidence = found[stuffed[0]]
    assert evidence["quarter"] == "2026-Q3"
    assert evidence["rep_created_in_window"] >= 12
    assert evidence["rep_usual_per_day"] == pytest.approx(0.25, abs=0.03)


def test_a_few_deals_from_a_rep_with_no_history_are_not_a_burst() -> None:
    history = History()
    for i in range(2):
        history.deal(i + 1, created=dt.datetime(2026, 9, 25 + i, tzinfo=dt.UTC))
    assert not flagged(run(history), Check.END_OF_QUARTER_BURST)


def test_skipped_stage_flags_a_jump_over_open_stages_not_a_step() -> None:
    history = (
        History()
        .deal(1, created=days_ago(20), stage="negotiation")
        .change(1, days_ago(19), "stage", "discovery", "negotiation")
        .deal(2, created=days_ago(20), stage="qualification")
        .change(2, days_ago(10), "stage", "discovery", "qualification")
    )
    found = flagged(run(history), Check.SKIPPED_STAGE)
    assert list(found) == [1]
    assert found[1]["skipped"] == ["qualification", "proposal"]


def test_amount_jump_flags_growth_past_the_ratio() -> None:
    history = (
        History()
        .deal(1, created=days_ago(20), amount=30_000)
        .change(1, days_ago(18), "amount", "10000.00", "30000.00")
        .deal(2, created=days_ago(20), amount=12_000)
        .change(2, days_ago(18), "amount", "10000.00", "12000.00")
    )
    found = flagged(run(history), Check.AMOUNT_JUMP)
    assert list(found) == [1]
    assert found[1]["ratio"] == 3.0


def test_no_contact_and_no_economic_buyer_from_proposal_on() -> None:
    history = (
        History()
        .deal(1, created=days_ago(5), contact=False)
        .deal(2, created=days_ago(5), stage="proposal", role="champion")
        .deal(3, created=days_ago(5), stage="discovery", role="champion")
        .deal(4, created=days_ago(5), stage="proposal", role="economic_buyer")
    )
    for i in (2, 4):
        history.change(i, days_ago(4), "stage", "discovery", "proposal")
    result = run(history)
    assert list(flagged(result, Check.NO_CONTACT)) == [1]
    no_buyer = flagged(result, Check.NO_ECONOMIC_BUYER)
    assert list(no_buyer) == [2]
    assert no_buyer[2]["roles"] == ["champion"]


def test_stuck_against_the_stages_usual_time() -> None:
    """Ten closed deals each spent 10 days in Discovery; one open deal has sat there 40
    days (flagged), another 12 (not: under 1.5 times the usual)."""
    history = History()
    for i in range(10, 20):
        created = days_ago(200 + i)
        history.deal(i, created=created, stage="lost", closed=created + dt.timedelta(days=20))
        history.change(i, created + dt.timedelta(days=10), "stage", "discovery", "qualification")
        history.change(i, created + dt.timedelta(days=20), "stage", "qualification", "lost")
    history.deal(1, created=days_ago(40)).deal(2, created=days_ago(12))
    found = flagged(run(history), Check.STUCK_IN_STAGE)
    assert list(found) == [1]
    assert found[1]["stage_usual_days"] == 10.0
    assert found[1]["usual_from_deals"] == 10


def test_stuck_is_not_judged_on_too_few_deals() -> None:
    history = History()
    created = days_ago(200)
    history.deal(9, created=created, stage="lost", closed=created + dt.timedelta(days=20))
    history.change(9, created + dt.timedelta(days=10), "stage", "discovery", "lost")
    history.deal(1, created=days_ago(40))
    assert not flagged(run(history), Check.STUCK_IN_STAGE)


def test_a_suspect_is_flagged_by_two_checks_not_counting_the_ignored_ones() -> None:
    history = (
        History()
        # no activity for 45 days and past due: a suspect
        .deal(1, created=days_ago(45), close_date=(NOW - dt.timedelta(days=30)).date())
        # no activity, and no economic buyer (ignored): not a suspect
        .deal(2, created=days_ago(45), stage="proposal", role="user")
        .change(2, days_ago(44), "stage", "discovery", "qualification")
        .change(2, days_ago(43), "stage", "qualification", "proposal")
    )
    result = run(history)
    assert result.suspects() == [1]
    strict = dataclasses.replace(CHECKS, suspect_ignores=())
    assert run(history, strict).suspects() == [1, 2]


def test_a_closed_deal_is_judged_as_it_stood_before_closing() -> None:
    history = History().deal(
        1, created=days_ago(100), stage="lost", closed=days_ago(10), amount=40_000
    )
    history.change(1, days_ago(90), "amount", "10000.00", "40000.00")
    history.change(1, days_ago(10), "stage", "discovery", "lost")
    data = history.data()
    moments = data.opportunities.select("id", pl.col("closed_at").alias("as_of"))
    result = check_pipeline(data, moments, CHECKS, now=NOW)
    checks = {f.check for f in result.flags}
    assert Check.AMOUNT_JUMP in checks
    assert Check.NO_ACTIVITY in checks
    (deal,) = result.deals.to_dicts()
    assert deal["stage_at"] == "discovery"
    assert not open_at(data, NOW).height
