"""Computed reports served until the data changes.

A report (its name, parameters and engine) is stored in :class:`ReportCache` with the
*data version* it was computed from: the highest id of touches, stage transitions,
opportunity changes, people and opportunities, and the number of people. Everything
the analytics read arrives as one of those rows (history is append-only; a merge
removes a person), so an unchanged version means an unchanged report. Reading the
version costs a handful of index look-ups, which is what a cached page pays.

``refresh_reports()`` recomputes the stale reports the Marketing page shows by
default; the worker runs it periodically (``revloop.analytics.jobs``) so the page is
served from the cache even right after new data arrives.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from revloop.activity.models import Touch
from revloop.analytics.models import ReportCache
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


def cache_key(report: str, params: dict[str, Any], engine: str) -> str:
    text = json.dumps([report, params, engine], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def cached(
    report: str,
    params: dict[str, Any],
    engine: str,
    compute: Callable[[], dict[str, Any]],
    *,
    fresh: bool = False,
    version: str | None = None,
) -> dict[str, Any]:
    """The stored report when its data version is current, else ``compute()``d and
    stored. ``fresh`` recomputes whatever is stored. The result carries a ``cache``
    entry: ``hit``, ``computed_at``, ``seconds`` (of the computation) and the version."""
    key = cache_key(report, params, engine)
    version = version or data_version()
    if not fresh:
        stored = ReportCache.objects.filter(key=key, data_version=version).first()
        if stored is not None:
            return _with_meta(stored, hit=True)
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


def _with_meta(stored: ReportCache, *, hit: bool) -> dict[str, Any]:
    return {
        **stored.result,
        "cache": {
            "hit": hit,
            "computed_at": stored.computed_at.isoformat(),
            "seconds": round(stored.seconds, 3),
            "data_version": stored.data_version,
        },
    }
