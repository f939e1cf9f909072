"""A registry holding only the jobs a test registers, and a frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from revloop.worker import registry

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> dict[str, registry.PeriodicJob]:
    """The apps' own jobs are imported first, then set aside for this test."""
    registry.autodiscover()
    mine: dict[str, registry.PeriodicJob] = {}
    monkeypatch.setattr(registry, "_JOBS", mine)
    return mine


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller
