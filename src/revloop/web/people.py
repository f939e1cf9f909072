"""What a person's page shows: who they are, why they score what they score, their history."""

from __future__ import annotations

from typing import Any

from revloop.contracts.versions import active_contract
from revloop.core.errors import NotFoundError
from revloop.engine.lifecycle import allowed_moves
from revloop.lifecycle.actions import mover_for
from revloop.lifecycle.queries import person_history
from revloop.people.models import Person
from revloop.routing.why import routing_story
from revloop.scoring.services import score_report
from revloop.users.models import User
from revloop.users.policy import require
from revloop.web.mql_rule import mql_rule
from revloop.web.score_words import score_in_words


def person_page(person_id: int, viewer: User) -> dict[str, Any]:
    require(viewer, "people.read")
    person = Person.objects.select_related("account", "owner").filter(pk=person_id).first()
    if person is None:
        raise NotFoundError(f"no person with id {person_id}")
    _, contract = active_contract()
    moves = allowed_moves(contract, person.stage, mover_for(viewer))
    score = score_report(person.pk)
    return {
        "person": person,
        "history": person_history(person),
        "score": score,
        "score_words": score_in_words(score),
        "mql_rule": mql_rule(person.pk, person.stage, score),
        "routing": routing_story(person.pk),
        "moves": [
            {"to": edge.target.label, "reason": edge.reason.value if edge.reason else ""}
            for edge in moves
        ],
    }
