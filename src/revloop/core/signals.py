"""Domain events that one bounded context announces and others react to.

They keep the contexts apart: the stage machine does not know that routing starts an
SLA clock on a new MQL, and the feedback app does not know that a logged call stops
one. Signals are sent *after the transaction commits* (``transaction.on_commit``), so a
receiver never sees a change that was rolled back, and receivers that write do so in
their own transaction -- except :data:`people_merged`, whose receivers complete the
merge inside its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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

#: ``people_merged.send(sender, survivor_ids=list[int])``: sent *inside* the merge's
#: transaction, after every record of the duplicates now names its survivor, so that a
#: context can fold what must stay single (one open assignment per lead) into one.
people_merged = Signal()
