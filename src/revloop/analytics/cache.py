"""Computed reports served until the data changes.

A report (its name, parameters and engine) is stored in :class:`ReportCache` with the
*data version* it was computed from: the highest id of touches, stage transitions,
opportunity changes, people and opportunities, and the number of people. Everything
the analytics read arrives as one of those rows (history is append-only; a merge
removes a person), so an unchanged version means an unchanged report. Reading the
version costs a handful of index look-ups, which is what a cached page pays.

``refresh_reports()`` recomputes the stale reports the Marketing page shows by
default; the worker runs it periodically (``revloop.analytics.jobs``). A company whose
touches never stop arriving would otherwise never see a cached page, so the page
accepts a report computed from older data when it is at most ``max_age`` old
(``REVLOOP_REPORT_MAX_AGE`` seconds, 15 minutes by default): it says so (``stale``)
and the next refresh catches up. The API and the commands ask for current data.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from revloop.activity.models import Touch
from revloop.analytics.models import ReportCache
from revloop.core.env import envint
from revloop.lifecycle.models import StageTransition
from revloop.people.models import Person
from revloop.pipeline.models import Opportunity, OpportunityChange


def data_version() -> str:
    """A short text that changes whenever data the analytics read changes."""
    parts = [
        Touch.objects.aggregate(v=Max("id"))["v"],
        StageTransition.objects.aggregate(v=Max("id"))["v"],
        OpportunityChange.objects.aggregate(v=Max("id"))["v"],
        Opportunity.objects.aggregate(v=Max("id"))["v"],
        Person.objects.aggregate(v=Max("id"))["v"],
        Person.objects.count(),
    ]
    return "-".join(str(p or 0) for p in parts)


#: Bumped when a report gains or changes fields, so that reports stored by an earlier
#: revloop are computed again rather than shown without them.
REPORT_LAYOUT = 2


def cache_key(report: str, params: dict[str, Any], engine: str) -> str:
    text = json.dumps([report, params, engine, REPORT_LAYOUT], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def cached(
    report: str,
    params: dict[str, Any],
    engine: str,
    compute: Callable[[], dict[str, Any]],
    *,
    fresh: bool = False,
    version: str | None = None,
    max_age: timedelta | None = None,
) -> dict[str, Any]:
    """The stored report when its data version is current, else ``compute()``d and
    stored. ``fresh`` recomputes whatever is stored; ``max_age`` accepts a report of
    older data computed at most that long ago. The result carries a ``cache`` entry:
    ``hit``, ``stale``, ``computed_at``, ``seconds`` (of the computation), version."""
    key = cache_key(report, params, engine)
    version = version or data_version()
    if not fresh:
        stored = ReportCache.objects.filter(key=key).first()
        if stored is not None and stored.data_version == version:
            return _with_meta(stored, hit=True)
        if (
            stored is not None
            and max_age is not None
            and stored.computed_at >= timezone.now() - max_age
        ):
            return _with_meta(stored, hit=True, stale=True)
    started = time.perf_counter()
    result = compute()
    seconds = time.perf_counter() - started
    fields = {
        "report": report,
        "params": params,
        "engine": engine,
        "data_version": version,
        "computed_at": timezone.now(),
        "seconds": seconds,
        "result": result,
    }
    try:
        with transaction.atomic():
            stored, _ = ReportCache.objects.update_or_create(key=key, defaults=fields)
    except IntegrityError:
        # Another process stored the same report at the same moment: theirs is as good.
        stored = ReportCache(key=key, **fields)
    return _with_meta(stored, hit=False)


def page_max_age() -> timedelta:
    """How old a report computed from older data the page may still show."""
    return timedelta(seconds=envint("REVLOOP_REPORT_MAX_AGE", 15 * 60, minimum=0))


def _with_meta(stored: ReportCache, *, hit: bool, stale: bool = False) -> dict[str, Any]:
    return {
        **stored.result,
        "cache": {
            "hit": hit,
            "stale": stale,
            "computed_at": stored.computed_at.isoformat(),
            "seconds": round(stored.seconds, 3),
            "data_version": stored.data_version,
        },
    }
