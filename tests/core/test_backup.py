"""`revloop backup` and `revloop restore`: a snapshot put back is the database as it was,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from revloop.people.models import Person
from tests import factories


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_is_the_database_as_it_was(tmp_path: Path) -> None:
    kept = factories.person(email="kept@acme.example", first_name="Kept")
    out = StringIO()
    call_command("backup", str(tmp_path / "snap.bak"), "--json", stdout=out)
    assert json.loads(out.getvalue())["bytes"] > 0
    # Everything after the snapshot is undone by restoring it.
    Person.objects.filter(pk=kept.pk).update(first_name="Changed")
    factories.person(email="later@acme.example")
    call_command("restore", str(tmp_path / "snap.bak"), stdout=StringIO())
    assert list(Person.objects.values_list("email", "first_name")) == [
        ("kept@acme.example", "Kept")
    ]


@pytest.mark.django_db
def test_restoring_a_file_that_is_no_backup_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no backup file"):
        call_command("restore", str(tmp_path / "missing.bak"))
    junk = tmp_path / "junk.bak"
    junk.write_text("not a database at all " * 100)
    with pytest.raises(CommandError, match=r"(not a revloop SQLite backup|pg_restore failed)"):
        call_command("restore", str(junk))
