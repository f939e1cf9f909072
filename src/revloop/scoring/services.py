"""Reading scores: who changed since the last run, one person's score explained live.

The writes (a rescore, its run record, the automatic moves) are scoring's actions
(:mod:`revloop.scoring.actions`). Explanations are always computed for "now".
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from revloop.activity.frames import touches_frame
from revloop.contracts.versions import active_contract
from revloop.engine.contract import Contract
from revloop.engine.scoring import Explanation, ScoreResult, explain, score_people
from revloop.people.frames import people_frame
from revloop.people.models import Person

#: Scores are written in slices, each its own short transaction, so that a rescore
#: of a million people never holds the write lock long enough to stall ingestion.
WRITE_SLICE = 100_000


@dataclass(frozen=True)
class RescoreSummary:
    full: bool
    people: int
    moved: dict[str, int]
    contract_version: int
    as_of: datetime
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def changed_people(after_touch_id: int) -> list[int]:
    """People with a touch stored after ``after_touch_id``, edited since scored, or unscored."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM people_person WHERE scored_at IS NULL OR updated_at > scored_at"
            " UNION SELECT person_id FROM activity_touch"
            " WHERE id > %s AND person_id IS NOT NULL",
            [after_touch_id],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def explain_person(person_id: int, *, now: datetime | None = None) -> tuple[int, Explanation]:
    """The active contract's version number and this person's explanation, as of now."""
    version, contract = active_contract()
    result = score(contract, [person_id], now or timezone.now())
    return version.number, explain(result, person_id)


def score_report(person_id: int) -> dict[str, Any]:
    """Everything the API and the person page show: the live explanation and what is stored."""
    version, explanation = explain_person(person_id)
    stored = Person.objects.only(
        "email", "fit_score", "grade", "engagement_score", "rule_score", "scored_at"
    ).get(pk=person_id)
    return {
        "person_id": person_id,
        "email": stored.email,
        "contract_version": version,
        **explanation.to_dict(),
        "stored": {
            "fit": stored.fit_score,
            "grade": stored.grade,
            "engagement": stored.engagement_score,
            "total": stored.rule_score,
            "scored_at": stored.scored_at,
        },
    }


def score(contract: Contract, ids: Collection[int] | None, now: datetime) -> ScoreResult:
    people = people_frame([contract], ids)
    touches = touches_frame([contract], ids)
    return score_people(contract, people, touches, now)
