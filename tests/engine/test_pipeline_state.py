"""Rebuilding a deal as it stood at a moment from its change history, checked against a
plain replay of the same history for any history and any moment."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from revloop.engine.pipeline import state
from tests.engine.pipeline_history import History

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CHANGES = st.lists(
    st.tuples(st.integers(1, 300), st.integers(1, 50_000)), max_size=6, unique_by=lambda c: c[0]
)


@settings(max_examples=80, deadline=None)
@given(
    changes=CHANGES,
    initial=st.integers(1, 50_000),
    on_record=st.integers(1, 50_000),
    at_day=st.integers(0, 320),
)
def test_the_amount_at_a_moment_is_the_last_one_set_before_it(
    changes: list[tuple[int, int]], initial: int, on_record: int, at_day: int
) -> None:
    history = History().deal(1, created=T0, amount=float(on_record))
    ordered = sorted(changes)
    previous = initial
    for day, amount in ordered:
        history.change(1, T0 + dt.timedelta(days=day), "amount", f"{previous}.00", f"{amount}.00")
        previous = amount
    moment = T0 + dt.timedelta(days=at_day, hours=12)
    (row,) = state(history.data(), pl.DataFrame({"id": [1], "as_of": [moment]})).to_dicts()

    replayed = initial if ordered else on_record
    for day, amount in ordered:
        if T0 + dt.timedelta(days=day) < moment:
            replayed = amount
    assert row["amount_at"] == float(replayed)


@settings(max_examples=40, deadline=None)
@given(moves=st.lists(st.integers(1, 200), max_size=3, unique=True), at_day=st.integers(0, 250))
def test_the_stage_and_since_when(moves: list[int], at_day: int) -> None:
    stages = ["discovery", "qualification", "proposal", "negotiation"]
    days = sorted(moves)
    history = History().deal(1, created=T0, stage=stages[len(days)])
    for i, day in enumerate(days):
        history.change(1, T0 + dt.timedelta(days=day), "stage", stages[i], stages[i + 1])
    moment = T0 + dt.timedelta(days=at_day, hours=12)
    (row,) = state(history.data(), pl.DataFrame({"id": [1], "as_of": [moment]})).to_dicts()

    passed = [day for day in days if T0 + dt.timedelta(days=day) < moment]
    assert row["stage_at"] == stages[len(passed)]
    entered = T0 + dt.timedelta(days=passed[-1]) if passed else T0
    assert row["stage_entered_at"] == entered
