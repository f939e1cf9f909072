"""Prefetch: a producer one step ahead of its consumer, in order, bounded, stoppable."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revloop.engine.imports.prefetch import Prefetch


@given(st.lists(st.integers()), st.integers(min_value=1, max_value=4))
def test_items_arrive_in_order_and_all_of_them(items: list[int], depth: int) -> None:
    """Whatever the queue depth, the consumer sees exactly the producer's sequence."""
    assert list(Prefetch(items, depth=depth)) == items


def test_a_producer_error_is_raised_in_the_consumer_after_the_good_items() -> None:
    """Items made before the failure are delivered; then the producer's own error."""

    def failing() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("row 3 is unreadable")

    seen: list[int] = []
    with pytest.raises(ValueError, match="row 3 is unreadable"):
        seen.extend(Prefetch(failing()))
    assert seen == [1, 2]


def test_the_producer_stays_at_most_depth_items_ahead() -> None:
    """Memory is bounded: a slow consumer holds back the producer."""
    produced: list[int] = []
    release = threading.Event()

    def counting() -> Iterator[int]:
        for n in range(100):
            produced.append(n)
            yield n

    with Prefetch(counting(), depth=2) as items:
        iterator = iter(items)
        assert next(iterator) == 0
        release.wait(0.5)  # give the producer time to run ahead as far as it can
        # one handed over, two queued, one made and waiting to be queued
        assert len(produced) <= 4


def test_closing_early_stops_the_producer() -> None:
    """A consumer that fails mid-way does not leave the rest of the file being read."""
    produced: list[int] = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    def consume() -> None:
        with Prefetch(endless()) as items:
            for item in items:
                if item == 5:
                    raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        consume()
    count = len(produced)
    release = threading.Event()
    release.wait(0.3)
    assert len(produced) == count
    assert count < 20


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="depth"):
        Prefetch([], depth=0)
