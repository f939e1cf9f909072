"""Scoring reacts to what the contexts below it announce (:mod:`revloop.core.signals`).

Capture and the people app say that people changed or that an import committed; the
contract app says that a new contract is active. They do not know that scores follow.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from revloop.core.signals import contract_activated, people_changed, records_imported
from revloop.scoring.actions import do_rescore
from revloop.scoring.jobs import enqueue_people, rescore_changed_task


@receiver(people_changed, dispatch_uid="scoring.people_changed")
def rescore_changed_people(sender: Any, person_ids: list[int], **kwargs: Any) -> None:
    enqueue_people(person_ids)


@receiver(records_imported, dispatch_uid="scoring.records_imported")
def rescore_after_import(sender: Any, full: bool, **kwargs: Any) -> None:
    # Ids by the million would be as many tasks: one watermark-based rescore instead.
    rescore_changed_task.enqueue(full, "import")


@receiver(contract_activated, dispatch_uid="scoring.contract_activated")
def rescore_under_new_contract(sender: Any, number: int, **kwargs: Any) -> int:
    """Everyone, now, under the contract just activated: the approval reports the count."""
    return do_rescore(full=True, trigger="activation").people
