"""Run a producer one step ahead of its consumer, in a process of its own.

An import is two halves of about equal cost: reading and validating a batch (Python
and polars) and writing it (the database driver). On two cores the next batch can be
read while the previous one is written. The queue holds at most ``depth`` items, so
memory stays bounded by a few batches whatever the file size.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_POLL_SECONDS = 0.2


class _Done:
    """The producer finished."""


class _Failed:
    """The producer process failed; its error, or a description when it cannot be pickled."""

    def __init__(self, error: BaseException) -> None:
        try:
            pickle.dumps(error)
            self.error: BaseException = error
        except Exception:  # whatever cannot be pickled is described instead
            self.error = RuntimeError("".join(traceback.format_exception(error)))


def _produce_in_child(
    make: Callable[..., Iterable[Any]],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    out: Any,
    stop: Any,
) -> None:
    parent = multiprocessing.parent_process()

    def put(item: object) -> bool:
        # A parent killed with SIGKILL cannot say stop: check that it still lives.
        while not stop.is_set() and (parent is None or parent.is_alive()):
            try:
                out.put(item, timeout=_POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False

    try:
        for item in make(*args, **kwargs):
            if not put(item):
                # Nobody will read what is still queued: exit without waiting to flush it
                # into a pipe that may never drain.
                out.cancel_join_thread()
                return
    except BaseException as exc:  # handed to the parent, re-raised there
        put(_Failed(exc))
        return
    put(_Done())


class ProcessPrefetch(Generic[T]):
    """Iterate ``make(*args, **kwargs)`` run in a child process, through a bounded queue.

    Items arrive in order. An exception in the producer is raised in the consumer where
    the producer failed. Closing early (``close()``, a ``with`` block, or a consumer
    exception) stops the producer at its next item. Threads would share one GIL, so a
    pure-Python producer and a consumer that binds database parameters would take turns;
    a process runs beside the consumer. ``make`` and its
    arguments must be picklable (a module-level function), and so must its items.
    The child is started with ``spawn``, never ``fork``: the parent holds database
    connections and thread pools that a forked copy must not inherit.
    """

    def __init__(
        self, make: Callable[..., Iterable[T]], *args: Any, depth: int = 2, **kwargs: Any
    ) -> None:
        if depth < 1:
            raise ValueError("depth must be at least 1")
        context = multiprocessing.get_context("spawn")
        self._queue: Any = context.Queue(maxsize=depth)
        self._stop = context.Event()
        self._process = context.Process(
            target=_produce_in_child,
            args=(make, args, kwargs, self._queue, self._stop),
            name="revloop-prefetch",
            daemon=True,
        )
        self._process.start()

    def __iter__(self) -> Iterator[T]:
        try:
            while True:
                try:
                    item = self._queue.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    if not self._process.is_alive() and self._queue.empty():
                        raise RuntimeError(
                            f"the reading process ended unexpectedly (exit code "
                            f"{self._process.exitcode})"
                        ) from None
                    continue
                if isinstance(item, _Failed):
                    raise item.error
                if isinstance(item, _Done):
                    return
                yield item
        finally:
            self.close()

    def close(self) -> None:
        self._stop.set()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()
        self._queue.close()
        self._queue.join_thread()

    def __enter__(self) -> ProcessPrefetch[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
