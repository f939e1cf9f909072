"""Lifecycle's actions, the stage machine: move people along the active contract's
edges, and record why.

Every move, by a person or by a rule, is one append-only :class:`StageTransition`
that names the contract version that allowed it, and updates the person's
``stage`` and ``stage_changed_at`` in the same transaction (the person's stage is
the stage machine's to write). The rules themselves
(which edges exist, who may take them, which reason codes fit) are the engine's
:func:`~revloop.engine.lifecycle.check_transition`, read from the signed contract.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import datetime

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from revloop.contracts.models import ContractVersion
from revloop.contracts.versions import active_contract
from revloop.core.bulk import insert_frame, update_from_frame
from revloop.core.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from revloop.core.signals import PersonMove, people_moved
from revloop.engine.contract import Contract
from revloop.engine.lifecycle import Mover, automatic_transitions, check_transition
from revloop.engine.scoring import ScoreResult
from revloop.engine.vocabulary import LifecycleStage, Role
from revloop.lifecycle.models import StageTransition
from revloop.people.frames import stages_frame
from revloop.people.models import Person
from revloop.users.actions import record_audit
from revloop.users.models import User
from revloop.users.policy import require, role_names

_ROLE_NAMES = {role.value for role in Role}

#: What Sales and Marketing call the moves they make by hand, and where each leads.
ACTIONS: dict[str, LifecycleStage] = {
    "promote": LifecycleStage.MQL,
    "accept": LifecycleStage.SAL,
    "reject": LifecycleStage.RECYCLED,
    "qualify": LifecycleStage.SQL,
    "convert": LifecycleStage.OPPORTUNITY,
    "win": LifecycleStage.CUSTOMER,
    "lose": LifecycleStage.RECYCLED,
    "disqualify": LifecycleStage.DISQUALIFIED,
    "restore": LifecycleStage.LEAD,
}


def mover_for(user: User) -> Mover:
    """The user as the stage machine sees them: their roles (a superuser acts as admin)."""
    return Mover(roles=frozenset(Role(name) for name in role_names(user) if name in _ROLE_NAMES))


def do_move_person(
    person: Person | int,
    to_stage: LifecycleStage | str,
    *,
    by: User | None = None,
    rule: str | None = None,
    reason_code: str | None = None,
    note: str = "",
    expect_stage: str | None = None,
) -> StageTransition:
    """Move a person to ``to_stage`` as ``by`` (a user) or ``rule`` (an automatic rule).

    Refused with :class:`ForbiddenError` when the mover may not make this move and
    with :class:`InvalidInputError` when the move itself is not allowed (no such
    edge, a missing or wrong reason code); the message says why.
    With ``expect_stage`` (the stage the mover saw), :class:`ConflictError` when someone
    moved the person first: it is no longer in that stage, or already in ``to_stage``.
    """
    if (by is None) == (rule is None):
        raise ValueError("a move is made either by a user or by a rule")
    version, contract = active_contract()
    mover = Mover.rule() if by is None else mover_for(by)
    if by is not None:
        _check_can_move(contract, by, mover)
    target = _stage(to_stage)
    with transaction.atomic():
        pk = person.pk if isinstance(person, Person) else int(person)
        locked = Person.objects.select_for_update().filter(pk=pk).first()
        if locked is None:
            raise NotFoundError(f"no person with id {pk}")
        # Checked on the locked row: of two movers who read the same stage, the second
        # to get here finds the first one's move.
        moved_first = locked.stage != expect_stage or locked.stage == target.value
        if expect_stage is not None and moved_first:
            raise _moved_first(locked)
        decision = check_transition(
            contract, locked.stage, target, mover, reason_code=reason_code or None
        )
        if not decision:
            refused = decision.transition is not None and decision.actor is None
            error = ForbiddenError if refused else InvalidInputError
            raise error(f"{locked.email}: {decision.message}")
        if by is not None and _as_sales(contract, decision.actor):
            _check_works_lead(by, locked)
        at = timezone.now()
        record = StageTransition.objects.create(
            person=locked,
            from_stage=locked.stage,
            to_stage=target.value,
            at=at,
            by_user=by,
            by_rule=rule or "",
            reason_code=reason_code or "",
            note=note,
            contract_version=version,
        )
        Person.objects.filter(pk=locked.pk).update(
            stage=target.value, stage_changed_at=at, updated_at=at
        )
        if by is not None:
            record_audit(
                by,
                "lead.stage_changed",
                object_type="person",
                object_id=locked.pk,
                detail={
                    "from": record.from_stage,
                    "to": record.to_stage,
                    "reason": reason_code or "",
                },
                at=at,
            )
        _announce_on_commit(
            [
                PersonMove(
                    person_id=locked.pk,
                    from_stage=record.from_stage,
                    to_stage=record.to_stage,
                    at=at,
                    user_id=by.pk if by is not None else None,
                    rule=rule or "",
                    reason_code=record.reason_code,
                    note=note,
                )
            ]
        )
    return record


def _moved_first(person: Person) -> ConflictError:
    """The answer to a move that someone else's move overtook: who did what, when."""
    last = (
        StageTransition.objects.filter(person=person)
        .select_related("by_user")
        .order_by("-at", "-pk")
        .first()
    )
    if last is None:
        return ConflictError(f"{person.email}: is already {person.stage}")
    who = last.by_user.username if last.by_user else f"rule {last.by_rule or 'unknown'}"
    return ConflictError(
        f"{person.email}: already moved from {last.from_stage} to {last.to_stage} by {who}"
        f" at {last.at:%Y-%m-%d %H:%M} UTC; nothing was changed"
    )


def _announce_on_commit(moves: list[PersonMove]) -> None:
    """Tell the other contexts (routing, SLA clocks) once the moves are committed."""
    if moves:
        transaction.on_commit(lambda: people_moved.send(sender=PersonMove, moves=moves))


def do_move_by_action(
    person: Person | int,
    action: str,
    *,
    by: User,
    reason_code: str | None = None,
    note: str = "",
    expect_stage: str | None = None,
) -> StageTransition:
    """``accept``, ``reject``, ``disqualify``, ``convert`` … as named in :data:`ACTIONS`."""
    target = ACTIONS.get(action)
    if target is None:
        raise InvalidInputError(f"unknown action {action!r}; use one of: {', '.join(ACTIONS)}")
    return do_move_person(
        person, target, by=by, reason_code=reason_code, note=note, expect_stage=expect_stage
    )


def do_apply_automatic_moves(
    contract: Contract,
    version: ContractVersion,
    result: ScoreResult,
    ids: Collection[int] | None,
    now: datetime,
) -> dict[str, int]:
    """Make the moves the rules call for after scoring (MQL, recycle, disqualify).

    The move lands only if the person is still in the stage it was decided for, so a
    user's move made meanwhile is never overwritten. Returns moves per target stage.
    """
    moves = automatic_transitions(contract, result, stages_frame(ids))
    if moves.height == 0:
        return {}
    moment = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic():
        moved = update_from_frame(
            Person._meta.db_table,
            moves.select("person_id", "from_stage", "to_stage"),
            assignments={"stage": "s.to_stage", "stage_changed_at": "%s", "updated_at": "%s"},
            constants=[moment, moment],
            condition=f"{Person._meta.db_table}.stage = s.from_stage",
            returning=True,
        )
        done = moves.filter(pl.col("person_id").is_in(moved))
        insert_frame(
            StageTransition,
            done.select(
                "person_id",
                "from_stage",
                "to_stage",
                pl.lit(now).cast(pl.Datetime("us", "UTC")).alias("at"),
                pl.col("rule").alias("by_rule"),
                pl.col("reason_code").fill_null("").alias("reason_code"),
                pl.lit(version.pk, dtype=pl.Int64).alias("contract_version_id"),
            ),
        )
        _announce_on_commit(
            [
                PersonMove(
                    person_id=person_id,
                    from_stage=from_stage,
                    to_stage=to_stage,
                    at=now,
                    rule=rule,
                    reason_code=reason_code or "",
                )
                for person_id, from_stage, to_stage, rule, reason_code in done.select(
                    "person_id", "from_stage", "to_stage", "rule", "reason_code"
                ).iter_rows()
            ]
        )
    return dict(Counter(done["to_stage"].to_list()))


_SALES_ROLES = frozenset({Role.SALES_REP, Role.SALES_MANAGER})


def _as_sales(contract: Contract, actor_name: str | None) -> bool:
    """Whether the move is made through a sales role, and so binds to the lead's owner."""
    actor = contract.actor(actor_name) if actor_name else None
    return actor is not None and bool(_SALES_ROLES & set(actor.roles))


def _check_works_lead(user: User, person: Person) -> None:
    # A rep works their own leads, a manager their team's: a sales move on anyone
    # else's lead would take it from under its owner.
    owner = person.owner.username if person.owner is not None else "nobody"
    require(user, "lead.work", person, what=f"{person.email}, owned by {owner}")


def _check_can_move(contract: Contract, user: User, mover: Mover) -> None:
    acting = [actor.name for actor in contract.actors if mover.roles & set(actor.roles)]
    if user.is_active and acting:
        return
    described = "; ".join(
        f"{actor.name}: {', '.join(role.value for role in actor.roles)}"
        for actor in contract.actors
    )
    raise ForbiddenError(
        f"{user.username} may not move people between stages: that needs a role of one of"
        f" the contract's actors ({described})"
    )


def _stage(value: LifecycleStage | str) -> LifecycleStage:
    try:
        return LifecycleStage(value)
    except ValueError:
        stages = ", ".join(stage.value for stage in LifecycleStage)
        raise InvalidInputError(f"unknown stage {value!r}; use one of: {stages}") from None
