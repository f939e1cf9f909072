"""`revloop export parquet DIR`: every table the analytics read, touches by day,
rewritten incrementally; the reports over the files give the database's figures."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds  # type: ignore[import-untyped]
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from revloop.activity.models import Touch
from revloop.analytics.tables import stored_tables
from revloop.engine.analytics import COLUMNS, JourneyQuery, funnel, markov, tables_from_arrow
from revloop.people.models import Person
from tests.analytics.demo_data import NOW
from tests.analytics.seeded import seed_company
from tests.factories import touch

LEADS, SEED = 300, 5


def _export(folder: Path, *extra: str) -> dict[str, Any]:
    out = StringIO()
    call_command("export", "parquet", str(folder), "--json", *extra, stdout=out)
    found: dict[str, Any] = json.loads(out.getvalue())
    return found


def _run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(*args, stdout=out)
    found: dict[str, Any] = json.loads(out.getvalue())
    return found


def _from_files(folder: Path) -> Any:
    sources = stored_tables()
    frames = {
        s.table: ds.dataset(folder / s.table, format="parquet", partitioning="hive").to_table()
        for s in sources.values()
    }
    return tables_from_arrow(frames, sources)


@pytest.fixture
def company(db: None) -> None:
    seed_company(leads=LEADS, seed=SEED, now=NOW)


@pytest.mark.usefixtures("company")
def test_every_table_is_written_and_touches_go_by_day(tmp_path: Path) -> None:
    found = _export(tmp_path)
    sources = stored_tables()
    assert set(found["rows"]) == {s.table for s in sources.values()}
    assert found["rows"]["activity_touch"] == Touch.objects.count()
    assert found["rows"]["people_person"] == Person.objects.count()
    days = sorted(p.name for p in (tmp_path / "activity_touch").glob("day=*"))
    assert len(days) == found["touch_days_written"] > 30
    first = Touch.objects.order_by("occurred_at").first()
    assert first is not None
    assert days[0] == f"day={first.occurred_at.date().isoformat()}"
    touches = ds.dataset(tmp_path / "activity_touch", format="parquet", partitioning="hive")
    assert touches.count_rows() == Touch.objects.count()
    assert str(touches.schema.field("occurred_at").type) == "timestamp[us, tz=UTC]"
    people = ds.dataset(tmp_path / "people_person", format="parquet").schema.names
    assert set(people) == {sources["person"].column(c) for c in COLUMNS["person"]}


@pytest.mark.usefixtures("company")
def test_the_files_give_the_databases_figures(tmp_path: Path) -> None:
    _export(tmp_path)
    query = JourneyQuery(outcome="pipeline", level="campaign", lookback_days=90.0)
    files = _from_files(tmp_path)
    database = _run(
        "attribution",
        "--engine",
        "database",
        "--outcome",
        "pipeline",
        "--level",
        "campaign",
        "--json",
        "--fresh",
    )
    credit = markov(files, query)
    got = {row["label"]: round(row["value"], 6) for row in database["credit"]}
    mine = {c: round(float(v), 6) for c, v in zip(credit.channels, credit.value, strict=True)}
    assert mine == got
    steps = funnel(files, by=("source",)).steps
    db_funnel = _run("funnel", "--engine", "database", "--by", "source", "--json", "--fresh")
    assert steps.height == len(db_funnel["steps"])
    assert int(steps["entered"].sum()) == sum(s["entered"] for s in db_funnel["steps"])


@pytest.mark.usefixtures("company")
def test_a_second_run_rewrites_only_the_days_that_changed(tmp_path: Path) -> None:
    _export(tmp_path)
    again = _export(tmp_path)
    assert again["touch_days_written"] == 0
    assert again["touches_written"] == 0

    person = Person.objects.order_by("pk").first()
    existing = Touch.objects.order_by("occurred_at").last()
    assert existing is not None
    touch(person=person, occurred_at=existing.occurred_at, channel="email")
    moved = Touch.objects.exclude(pk=existing.pk).order_by("occurred_at").first()
    assert moved is not None
    Touch.objects.filter(pk=moved.pk).update(person=person)
    third = _export(tmp_path)
    changed_days = {existing.occurred_at.date(), moved.occurred_at.date()}
    assert third["touch_days_written"] == len(changed_days)
    assert third["rows"]["activity_touch"] == Touch.objects.count()
    touches = ds.dataset(tmp_path / "activity_touch", format="parquet", partitioning="hive")
    assert touches.count_rows() == Touch.objects.count()


@pytest.mark.usefixtures("company")
def test_a_day_left_without_touches_is_removed(tmp_path: Path) -> None:
    _export(tmp_path)
    last = Touch.objects.order_by("occurred_at").last()
    assert last is not None
    day = last.occurred_at.date()
    Touch.objects.filter(occurred_at__date=day).delete()
    found = _export(tmp_path)
    assert found["touch_days_removed"] == 1
    assert not (tmp_path / "activity_touch" / f"day={day.isoformat()}").exists()


@pytest.mark.usefixtures("company")
def test_since_leaves_earlier_days_as_they_are(tmp_path: Path) -> None:
    last = Touch.objects.order_by("occurred_at").last()
    assert last is not None
    since = (last.occurred_at - timedelta(days=3)).date()
    found = _export(tmp_path, "--since", since.isoformat())
    days = sorted(p.name for p in (tmp_path / "activity_touch").glob("day=*"))
    assert days[0] == f"day={since.isoformat()}"
    assert found["touch_days_written"] == len(days) <= 4
    full = _export(tmp_path)
    assert full["touch_days_written"] > 30
    assert full["touches_written"] == Touch.objects.count() - found["touches_written"]


def test_a_folder_holding_other_files_is_refused(tmp_path: Path, db: None) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(CommandError, match="not empty"):
        _export(tmp_path)


@pytest.mark.slow
@pytest.mark.usefixtures("company")
def test_spark_over_the_export_gives_the_databases_reports(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _export(tmp_path)
    monkeypatch.setenv("REVLOOP_SPARK_MASTER", "local[2]")
    monkeypatch.setenv("REVLOOP_SPARK_PARQUET", str(tmp_path))
    args = ("attribution", "--outcome", "pipeline", "--level", "campaign", "--json", "--fresh")
    on_spark = _run(*args, "--engine", "spark")
    on_database = _run(*args, "--engine", "database")
    assert on_spark["engine"] == "pyspark"
    assert {r["label"]: round(r["value"], 6) for r in on_spark["credit"]} == {
        r["label"]: round(r["value"], 6) for r in on_database["credit"]
    }
    funnel_args = ("funnel", "--by", "source", "--json", "--fresh")
    spark_steps = _run(*funnel_args, "--engine", "spark")["steps"]
    database_steps = _run(*funnel_args, "--engine", "database")["steps"]
    keys = ("source", "from_stage", "to_stage", "entered", "converted", "still_open")
    assert [{k: s[k] for k in keys} for s in spark_steps] == [
        {k: s[k] for k in keys} for s in database_steps
    ]
