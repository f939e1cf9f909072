"""Run a producer one step ahead of its consumer, in a thread.

An import is two halves of about equal cost: reading and validating a batch (Python
and polars) and writing it (the database driver). SQLite and polars release the GIL
while they work, so on two cores the next batch can be read while the previous one is
written. The queue holds at most ``depth`` items, so memory stays bounded by a few
batches whatever the file size.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_POLL_SECONDS = 0.2


class _Done:
    """The producer finished (its error, if any, is carried along)."""

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class Prefetch(Generic[T]):
    """Iterate ``source`` in a daemon thread, handing items over through a bounded queue.

    Items arrive in order. An exception in the producer is raised in the consumer at the
    point where the producer failed. Closing early (``close()``, a ``with`` block, or a
    consumer exception) stops the producer at its next item instead of reading the rest.
    """

    def __init__(self, source: Iterable[T], *, depth: int = 2) -> None:
        if depth < 1:
            raise ValueError("depth must be at least 1")
        self._queue: queue.Queue[T | _Done] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._produce, args=(source,), name="revloop-prefetch", daemon=True
        )
        self._thread.start()

    def _produce(self, source: Iterable[T]) -> None:
        error: BaseException | None = None
        try:
            for item in source:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the consumer, re-raised there
            error = exc
        self._put(_Done(error))

    def _put(self, item: T | _Done) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False

    def __iter__(self) -> Iterator[T]:
        try:
            while True:
                item = self._queue.get()
                if isinstance(item, _Done):
                    if item.error is not None:
                        raise item.error
                    return
                yield item
        finally:
            self.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> Prefetch[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
