"""Domain events that one bounded context announces and others react to.

They keep the contexts apart: the stage machine does not know that routing starts an
SLA clock on a new MQL, and the feedback app does not know that a logged call stops
one. Signals are sent *after the transaction commits* (``transaction.on_commit``), so a
receiver never sees a change that was rolled back, and receivers that write do so in
their own transaction -- except :data:`people_merging`, :data:`people_merged` and
:data:`stages_set`, whose receivers complete the change inside its transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import polars as pl
from django.db import transaction
from django.dispatch import Signal


@dataclass(frozen=True, slots=True)
class PersonMove:
    """One stage change, by a user (``user_id``) or by a contract rule (``rule``)."""

    person_id: int
    from_stage: str
    to_stage: str
    at: datetime
    user_id: int | None = None
    rule: str = ""
    reason_code: str = ""
    note: str = ""


#: ``people_moved.send(sender, moves=list[PersonMove])``: one batch per transaction,
#: so a rescore that promotes 90,000 people sends one signal, not 90,000.
people_moved = Signal()

#: ``sales_activity_logged.send(sender, person_id=int, user_id=int, kind=str, at=datetime)``:
#: a rep called, emailed or met the person (kind: call, email, meeting).
sales_activity_logged = Signal()

#: ``people_merging.send(sender, mapping=dict[int, int])``: sent inside a merge's
#: transaction *before* the duplicates' records are re-pointed (``mapping``: duplicate id
#: → survivor id), so that a context whose records may hold only one row per person
#: removes the ones that would clash.
people_merging = Signal()

#: ``people_merged.send(sender, survivor_ids=list[int])``: sent *inside* the merge's
#: transaction, after every record of the duplicates now names its survivor, so that a
#: context can fold what must stay single (one open assignment per lead) into one.
people_merged = Signal()

#: ``stages_set.send(sender, moves=polars.DataFrame)``: sent *inside* the transaction of a
#: context below the lifecycle that set people's stages as data rather than through the
#: stage machine (a new person starts as a lead, an import brings a CRM's stage, a merge
#: keeps the furthest one), so that the lifecycle writes their append-only transition
#: records in that same transaction. Columns: :data:`STAGE_MOVES`.
stages_set = Signal()

#: The columns of a :data:`stages_set` frame; ``by_user_id``, ``reason_code`` and ``note``
#: may be left out.
STAGE_MOVES = pl.Schema(
    {
        "person_id": pl.Int64(),
        "from_stage": pl.String(),
        "to_stage": pl.String(),
        "at": pl.Datetime("us", "UTC"),
        "by_user_id": pl.Int64(),
        "by_rule": pl.String(),
        "reason_code": pl.String(),
        "note": pl.String(),
    }
)

#: ``people_changed.send(sender, person_ids=list[int])``: what is known about these
#: people changed (new touches, new or updated fields, a merge), so scores may have too.
people_changed = Signal()

#: ``records_imported.send(sender, full=bool)``: a bulk import committed; ``full`` when
#: it changed what every person's score may read (account fields), not only some people.
records_imported = Signal()

#: ``contract_activated.send(sender, number=int)``: a new contract version is active,
#: sent once the activation is committed. Receivers answer at once, each returning how
#: many people it rescored (or None), which the approval reports.
contract_activated = Signal()


def announce_people_changed(sender: Any, ids: Iterable[int | None]) -> None:
    """Send :data:`people_changed` for these people once the caller's transaction commits."""
    wanted = sorted({int(i) for i in ids if i is not None})
    if wanted:
        transaction.on_commit(partial(people_changed.send, sender=sender, person_ids=wanted))


def announce_records_imported(sender: Any, *, full: bool) -> None:
    """Send :data:`records_imported` once the caller's transaction commits."""
    transaction.on_commit(partial(records_imported.send, sender=sender, full=full))


#: ``person_exporting.send(sender, person_id=int)``: someone asked for everything held on
#: a person (a data subject's request). Each context that keeps records on people answers
#: with ``(section, rows)``: its records of that person as plain JSON values.
person_exporting = Signal()

#: ``person_erasing.send(sender, person_id=int)``: sent *inside* an erasure's transaction,
#: before the person's own fields are blanked, so that each context removes the personal
#: data and identifiers it keeps while its anonymous records (what happened, when, to
#: which campaign) stay for the reports. Receivers answer with ``(kind, count)``.
person_erasing = Signal()
