"""Scoring's actions: score people under the active contract, store the scores, make
the automatic moves.

Two ways in, one pipeline (read frames → engine → bulk write → stage machine):

- :func:`do_rescore` — ``revloop score``: the people who changed since the last run
  (a touch beyond its watermark, edited fields, never scored), or everyone, recorded
  as a :class:`ScoringRun`. A full run is also what a newly activated contract triggers.
- :func:`do_rescore_people` — given ids, right after their touches arrive.

Stored scores are as of their ``scored_at``: engagement fades every day, so an
operator schedules ``revloop score --all`` (say nightly) to keep the columns fresh
and to recycle quiet leads.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from revloop.activity.frames import max_touch_id, touches_frame
from revloop.contracts.models import ContractVersion
from revloop.contracts.versions import active_contract
from revloop.core.bulk import update_from_frame
from revloop.engine.contract import GRADES, Contract
from revloop.engine.scoring import ScoreResult, score_people
from revloop.lifecycle.actions import do_apply_automatic_moves
from revloop.people.frames import people_frame
from revloop.people.models import Person
from revloop.scoring.models import ScoringRun
from revloop.scoring.services import RescoreSummary, changed_people

#: Scores are written in slices, each its own short transaction, so that a rescore
#: of a million people never holds the write lock long enough to stall ingestion.
WRITE_SLICE = 100_000


def do_rescore(
    *,
    full: bool = False,
    trigger: str = "command",
    now: datetime | None = None,
    apply_moves: bool = True,
) -> RescoreSummary:
    """Rescore the people who changed since the last run, or everyone (``full``).

    ``apply_moves=False`` stores scores only: for loading history that already says
    where everyone stands (the demo company), which the rules must not rewrite.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    version, contract = active_contract()
    watermark = max_touch_id()
    ids: list[int] | None = None
    if not full:
        last = ScoringRun.objects.filter(finished_at__isnull=False).order_by("-id").first()
        if last is None or last.contract_version_id != version.pk:
            full = True  # nothing to be incremental against, or a new contract
        else:
            ids = changed_people(last.touch_watermark)
    summary = _score_and_store(version, contract, ids, now, started, apply_moves=apply_moves)
    ScoringRun.objects.create(
        started_at=now,
        finished_at=timezone.now(),
        full=full,
        trigger=trigger,
        contract_version=version,
        touch_watermark=watermark,
        people=summary.people,
        moved=summary.moved,
        seconds=summary.seconds,
    )
    return RescoreSummary(**{**asdict(summary), "full": full})


def do_rescore_people(ids: Iterable[int], *, now: datetime | None = None) -> RescoreSummary:
    """Rescore these people (all their touches, as of now) and make their automatic moves.

    Meant to run right after a batch of touches is stored, outside its transaction.
    """
    started = time.perf_counter()
    wanted = sorted({int(i) for i in ids})
    version, contract = active_contract()
    return _score_and_store(version, contract, wanted, now or timezone.now(), started)


def _score_and_store(
    version: ContractVersion,
    contract: Contract,
    ids: list[int] | None,
    now: datetime,
    started: float,
    *,
    apply_moves: bool = True,
) -> RescoreSummary:
    timings: dict[str, float] = {}
    mark = time.perf_counter()
    people = people_frame([contract], ids)
    timings["read_people"] = time.perf_counter() - mark
    mark = time.perf_counter()
    touches = touches_frame([contract], ids)
    timings["read_touches"] = time.perf_counter() - mark
    mark = time.perf_counter()
    result = score_people(contract, people, touches, now)
    timings["score"] = time.perf_counter() - mark
    del people, touches
    mark = time.perf_counter()
    store_scores(result, now)
    timings["write_scores"] = time.perf_counter() - mark
    mark = time.perf_counter()
    moved = do_apply_automatic_moves(contract, version, result, ids, now) if apply_moves else {}
    timings["moves"] = time.perf_counter() - mark
    return RescoreSummary(
        full=ids is None,
        people=len(result),
        moved=moved,
        contract_version=version.number,
        as_of=now,
        seconds=time.perf_counter() - started,
        timings=timings,
    )


def store_scores(result: ScoreResult, now: datetime) -> None:
    """Write fit, grade, engagement, total and ``scored_at`` for every person in ``result``."""
    frame = pl.DataFrame(
        {
            "person_id": result.person_id,
            "fit": result.fit,
            "grade": pl.Series(list(GRADES), dtype=pl.String).gather(result.grade),
            "engagement": result.engagement,
            "total": result.total,
        }
    )
    scored_at = connection.ops.adapt_datetimefield_value(now)
    table = Person._meta.db_table
    for offset in range(0, frame.height, WRITE_SLICE):
        with transaction.atomic():
            update_from_frame(
                table,
                frame.slice(offset, WRITE_SLICE),
                assignments={
                    "fit_score": "s.fit",
                    "grade": "s.grade",
                    "engagement_score": "s.engagement",
                    "rule_score": "s.total",
                    "scored_at": "%s",
                },
                constants=[scored_at],
            )
