"""Stage transitions and opportunity changes are written once, never rewritten."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from revloop.core.append_only import AppendOnlyError
from revloop.lifecycle.models import StageTransition
from revloop.pipeline.models import OpportunityChange
from tests import factories


@pytest.mark.django_db
def test_a_saved_transition_cannot_be_saved_again() -> None:
    record = factories.transition(factories.person())
    record.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        record.save()


@pytest.mark.django_db
def test_a_transition_cannot_be_deleted() -> None:
    record = factories.transition(factories.person())
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        StageTransition.objects.filter(pk=record.pk).delete()


@pytest.mark.django_db
def test_bulk_update_of_history_is_refused() -> None:
    factories.transition(factories.person())
    with pytest.raises(AppendOnlyError):
        StageTransition.objects.update(reason_code="changed")


@pytest.mark.django_db
def test_raw_sql_cannot_rewrite_or_erase_history() -> None:
    record = factories.transition(factories.person())
    table = StageTransition._meta.db_table
    statements = (
        f"UPDATE {table} SET to_stage = 'sal' WHERE id = %s",  # noqa: S608 - our own table
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608 - our own table
    )
    for sql in statements:
        with (
            pytest.raises((IntegrityError, DatabaseError), match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [record.pk])
    record.refresh_from_db()
    assert record.to_stage == "mql"


@pytest.mark.django_db
def test_a_merge_may_move_history_to_the_surviving_person() -> None:
    duplicate, survivor = factories.person(), factories.person()
    factories.transition(duplicate)
    moved = StageTransition.objects.filter(person=duplicate).update(person=survivor)
    assert moved == 1
    assert survivor.transitions.count() == 1


@pytest.mark.django_db
def test_a_transition_must_change_the_stage() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.transition(factories.person(), from_stage="mql", to_stage="mql")


@pytest.mark.django_db
def test_opportunity_changes_are_append_only() -> None:
    opp = factories.opportunity()
    change = OpportunityChange.objects.create(
        opportunity=opp, at=factories.T0, field="amount", old_value="100", new_value="300"
    )
    with pytest.raises(AppendOnlyError):
        change.save()
    table = OpportunityChange._meta.db_table
    sql = f"UPDATE {table} SET new_value = '999' WHERE id = %s"  # noqa: S608 - our own table
    with (
        pytest.raises((IntegrityError, DatabaseError), match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [change.pk])
