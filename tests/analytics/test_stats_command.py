"""`revloop stats --json` prints one JSON object of counts."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests import factories


@pytest.mark.django_db
def test_it_counts_every_record_kind_and_stage() -> None:
    acme = factories.account()
    for stage in ("lead", "lead", "mql", "customer"):
        factories.person(stage=stage, account=acme)
    factories.touch()
    factories.opportunity(account=acme)

    out = StringIO()
    call_command("stats", "--json", stdout=out)
    stats = json.loads(out.getvalue())

    assert stats["accounts"] == 1
    assert stats["people"] == 4
    assert stats["touches"] == 1
    assert stats["opportunities"] == 1
    assert stats["campaigns"] == 0
    assert stats["content_assets"] == 0
    assert stats["people_per_stage"] == {
        "lead": 2,
        "mql": 1,
        "sal": 0,
        "sql": 0,
        "opportunity": 0,
        "customer": 1,
        "recycled": 0,
        "disqualified": 0,
    }


@pytest.mark.django_db
def test_the_human_form_is_a_table() -> None:
    factories.person()
    out = StringIO()
    call_command("stats", stdout=out)
    assert "people" in out.getvalue()
    assert "lead" in out.getvalue()
