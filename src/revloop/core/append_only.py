"""Append-only records: history is written once and never rewritten.

The guard works at two levels. The model refuses to update or delete a saved row,
and so do its queryset's bulk ``update()`` / ``delete()``. A database trigger
(:func:`append_only_triggers`, installed by each app's migration) refuses the same
on the content columns, so raw SQL cannot rewrite history either. Only the
subject pointer (for example ``person_id``) may change, because a merge of two
duplicate people must move the history onto the survivor without losing it.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.db import migrations, models


class AppendOnlyError(Exception):
    """Raised on an attempt to rewrite or erase an append-only record."""


class AppendOnlyQuerySet(models.QuerySet["AppendOnlyModel"]):
    def update(self, **kwargs: Any) -> int:
        movable = {name for field in self.model.movable_fields for name in (field, f"{field}_id")}
        if set(kwargs) - movable:
            raise AppendOnlyError(f"{self.model.__name__} is append-only")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} is append-only")


class AppendOnlyModel(models.Model):
    #: Columns a merge may re-point; everything else is frozen once written.
    movable_fields: ClassVar[tuple[str, ...]] = ()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} is append-only")


_Version = TypeVar("_Version", bound="VersionedDocument")


class VersionQuerySet(models.QuerySet[_Version]):
    def update(self, **kwargs: Any) -> int:
        if set(kwargs) - self.model.MUTABLE_FIELDS:
            raise AppendOnlyError(self.model.FROZEN_MESSAGE)
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(self.model.KEPT_MESSAGE)


class VersionedDocument(models.Model):
    """One numbered version of a document (the catalog, the contract) as it was saved.

    Its text is the record and never changes; only its life (status and the times it
    began and ended, ``MUTABLE_FIELDS``) moves on, and no version is ever deleted.
    """

    MUTABLE_FIELDS: ClassVar[frozenset[str]] = frozenset()
    #: Why a change to the record is refused, and why a deletion is.
    FROZEN_MESSAGE: ClassVar[str] = "a version's text never changes once saved"
    KEPT_MESSAGE: ClassVar[str] = "versions are kept forever"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.MUTABLE_FIELDS:
                raise AppendOnlyError(self.FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(self.KEPT_MESSAGE)


def append_only_triggers(table: str, frozen_columns: list[str]) -> migrations.RunPython:
    """A migration operation installing triggers that refuse rewriting ``table``."""
    name = f"{table}_append_only"
    message = f"{table} is append-only"

    def install(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        cols = ", ".join(frozen_columns)
        if vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {name}_upd BEFORE UPDATE OF {cols} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name}_del BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{message}'; END $$ LANGUAGE plpgsql"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name}_upd BEFORE UPDATE OF {cols} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name}_del BEFORE DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            )

    def uninstall(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_upd")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_del")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_upd ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_del ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")

    return migrations.RunPython(install, uninstall)
