"""Stage events: every time a person's lifecycle stage was set, with its funnel rank.

A person's stage history is read from three places, so that history is complete
even where it was not recorded transition by transition:

- their creation: stage ``lead`` at ``created_at`` (ordered before anything else);
- every ``StageTransition``: ``to_stage`` at ``at`` (ordered by id on equal times);
- their current stage at ``stage_changed_at`` (ordered after everything else). It
  repeats the last transition when history is complete, and supplies the stage of
  people imported straight into a later stage.

``rank`` is the position on the success path (lead 0 … customer 5), -1 for the
detours (recycled, disqualified) and NULL for stages revloop does not know.
"""

from __future__ import annotations

from revloop.engine.analytics._ibis import Expr, Table, ibis
from revloop.engine.analytics.tables import Tables, checkpoint, union_all
from revloop.engine.vocabulary import SUCCESS_PATH, LifecycleStage

DETOUR_RANK = -1
DETOURS = (LifecycleStage.RECYCLED, LifecycleStage.DISQUALIFIED)
RANK: dict[str, int] = {
    **{stage.value: index for index, stage in enumerate(SUCCESS_PATH)},
    **{stage.value: DETOUR_RANK for stage in DETOURS},
}
LAST_RANK = len(SUCCESS_PATH) - 1
# Orders the synthetic events around the recorded ones at equal times.
_FIRST_SEQ = -1
_LAST_SEQ = 1 << 62


def stage_rank(stage: Expr) -> Expr:
    return stage.substitute(RANK, else_=ibis.null("int64")).cast("int64")


def stage_events(tables: Tables, as_of_us: int | None = None) -> Table:
    """``person_id, rank, at_us, seq`` for every stage event (module
    docstring), only those at or before ``as_of_us`` when given."""
    person, transition = tables.person, tables.transition
    created = person.select(
        person_id=person.id,
        rank=ibis.literal(0, "int64"),
        at_us=person.created_us,
        seq=ibis.literal(_FIRST_SEQ, "int64"),
    )
    recorded = transition.select(
        person_id=transition.person_id,
        rank=stage_rank(transition.to_stage),
        at_us=transition.at_us,
        seq=transition.id,
    )
    current = person.select(
        person_id=person.id,
        rank=stage_rank(person.stage),
        at_us=person.stage_changed_us,
        seq=ibis.literal(_LAST_SEQ, "int64"),
    )
    events = union_all(created, recorded, current)
    if as_of_us is not None:
        events = events.filter(events.at_us <= as_of_us)
    return checkpoint(events.filter(events.person_id.notnull() & events.at_us.notnull()), tables)
