"""ProcessPrefetch: a producer in a child process, in order, bounded, stoppable."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from revloop.engine.imports.prefetch import ProcessPrefetch

# Producers run in a spawned child, so they live at module level (pickled by name).


def numbers(n: int) -> Iterator[int]:
    yield from range(n)


def counted(n: int, log: str) -> Iterator[int]:
    """Counts each item it makes in ``log``, so the parent can see how far it ran."""
    for item in range(n):
        with Path(log).open("a") as handle:
            handle.write("x")
        yield item


def failing() -> Iterator[int]:
    yield 1
    yield 2
    raise ValueError("row 3 is unreadable")


class _UnpicklableError(Exception):
    def __init__(self) -> None:
        super().__init__("cannot travel")
        self.callback = lambda: None


def failing_oddly() -> Iterator[int]:
    yield 1
    raise _UnpicklableError


def dying() -> Iterator[int]:
    yield 1
    os._exit(3)


def _made(log: Path) -> int:
    return len(log.read_text()) if log.exists() else 0


@pytest.mark.parametrize(("n", "depth"), [(0, 1), (1, 1), (7, 2), (250, 3)])
def test_items_arrive_in_order_and_all_of_them(n: int, depth: int) -> None:
    """Whatever the queue depth, the consumer sees exactly the producer's sequence."""
    assert list(ProcessPrefetch(numbers, n, depth=depth)) == list(range(n))


def test_a_producer_error_is_raised_in_the_consumer_after_the_good_items() -> None:
    """Items made before the failure are delivered; then the producer's own error."""
    seen: list[int] = []
    with pytest.raises(ValueError, match="row 3 is unreadable"):
        seen.extend(ProcessPrefetch(failing))
    assert seen == [1, 2]


def test_an_error_that_cannot_travel_arrives_as_its_traceback() -> None:
    with pytest.raises(RuntimeError, match="_UnpicklableError: cannot travel"):
        list(ProcessPrefetch(failing_oddly))


def test_a_producer_that_dies_is_an_error_not_a_hang() -> None:
    with pytest.raises(RuntimeError, match="ended unexpectedly"):
        list(ProcessPrefetch(dying))


def test_the_producer_stays_at_most_depth_items_ahead(tmp_path: Path) -> None:
    """Memory is bounded: a slow consumer holds back the producer."""
    log = tmp_path / "made"
    with ProcessPrefetch(counted, 1_000, str(log), depth=2) as items:
        iterator = iter(items)
        assert next(iterator) == 0
        threading.Event().wait(1.0)  # time for the producer to run ahead as far as it may
        # one handed over, two queued, one in the queue's pipe, one made and waiting
        assert _made(log) <= 5


def test_closing_early_stops_the_producer(tmp_path: Path) -> None:
    """A consumer that fails mid-way does not leave the rest of the file being read."""
    log = tmp_path / "made"
    prefetch = ProcessPrefetch(counted, 1_000_000, str(log))

    def consume() -> None:
        with prefetch as items:
            for item in items:
                if item == 5:
                    raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        consume()
    made = _made(log)
    threading.Event().wait(0.5)
    assert _made(log) == made < 100
    assert not prefetch._process.is_alive()


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="depth"):
        ProcessPrefetch(numbers, 1, depth=0)
