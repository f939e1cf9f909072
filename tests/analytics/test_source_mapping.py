"""A source mapping: the reports read the company's own event and deal tables (a
Segment-style ``tracks`` folder, a CRM's opportunities) in place, on DuckDB and Spark,
and give the figures revloop's own tables give for the same data."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from revloop.engine.analytics import JourneyQuery, connect, markov, rule_based, tables_from_arrow
from revloop.engine.analytics.mapping import MappingInvalid, mapped_tables, parse_mapping
from tests.analytics.demo_data import SOURCES, Frames, demo_frames

MAPPING = """\
# Segment's tracks and the CRM's deals, as they sit in the lake
touches:
  parquet: {lake}/tracks
  person: user_id
  time: timestamp
  channel: context_campaign_medium
  campaign: context_campaign_name
  content: properties_content
  type: event
  id: message_id
opportunities:
  parquet: {lake}/deals
  id: deal_id
  person: contact_user_id
  amount: amount
  stage: stage_name
  won: [Closed Won]
  lost: [Closed Lost]
  created: created_date
  closed: closed_date
people:
  parquet: {lake}/users
  person: user_id
  created: first_seen
"""

_STAGE_NAMES = {"won": "Closed Won", "lost": "Closed Lost"}


def _lake(frames: Frames, lake: Path) -> None:
    """The demo company as a Segment/CRM lake: text keys, names instead of ids."""
    people = frames["people_person"]
    key = pl.concat_str(pl.lit("user-"), pl.col("id").cast(pl.String))
    campaigns = frames["activity_campaign"].select(campaign_id="id", campaign_name="name")
    content = frames["activity_contentasset"].select(content_id="id", content_title="title")
    touches = (
        frames["activity_touch"]
        .join(campaigns, on="campaign_id", how="left")
        .join(content, on="content_id", how="left")
        .select(
            user_id=pl.when(pl.col("person_id").is_not_null()).then(
                pl.concat_str(pl.lit("user-"), pl.col("person_id").cast(pl.String))
            ),
            timestamp=pl.col("occurred_at"),
            context_campaign_medium=pl.col("channel"),
            context_campaign_name=pl.col("campaign_name"),
            properties_content=pl.col("content_title"),
            event=pl.col("type"),
            message_id=pl.col("id"),
        )
    )
    deals = frames["pipeline_opportunity"].select(
        deal_id=pl.concat_str(pl.lit("D"), pl.col("id").cast(pl.String)),
        contact_user_id=pl.concat_str(
            pl.lit("user-"), pl.col("primary_contact_id").cast(pl.String)
        ),
        amount=pl.col("amount").cast(pl.Float64),
        stage_name=pl.col("stage").replace(_STAGE_NAMES),
        created_date=pl.col("created_at"),
        closed_date=pl.col("closed_at"),
    )
    users = people.select(user_id=key, first_seen=pl.col("created_at"))
    for name, frame in (("tracks", touches), ("deals", deals), ("users", users)):
        (lake / name).mkdir(parents=True)
        frame.write_parquet(lake / name / "part-0.parquet")


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Frames]:
    frames = demo_frames(400, seed=5)
    # Only the primary contact links a deal to people in a CRM's deals table.
    frames["pipeline_opportunitycontact"] = frames["pipeline_opportunitycontact"].clear()
    # A lake names content by its title: titles made unique, as revloop labels repeats.
    title = pl.col("title")
    frames["activity_contentasset"] = frames["activity_contentasset"].with_columns(
        title=pl.when(title.is_duplicated())
        .then(pl.concat_str(title, pl.lit(" (#"), pl.col("id").cast(pl.String), pl.lit(")")))
        .otherwise(title)
    )
    folder = tmp_path_factory.mktemp("lake")
    _lake(frames, folder)
    return folder, frames


def _credit(result: Any) -> dict[str, float]:
    return {c: round(float(v), 6) for c, v in zip(result.channels, result.value, strict=True)}


@pytest.mark.parametrize("level", ["channel", "campaign", "content"])
def test_duckdb_over_the_lake_gives_revloops_figures(lake: tuple[Path, Frames], level: Any) -> None:
    folder, frames = lake
    mapping = parse_mapping(MAPPING.format(lake=folder))
    mapped = mapped_tables(connect("duckdb://"), mapping)
    own = tables_from_arrow(frames, SOURCES)
    query = JourneyQuery(outcome="pipeline", level=level, lookback_days=90.0)
    assert _credit(markov(mapped, query)) == _credit(markov(own, query))
    theirs, ours = rule_based(mapped, query), rule_based(own, query)
    for model in ("first", "linear", "w_shaped"):
        assert _credit(theirs[model]) == _credit(ours[model])
    revenue = JourneyQuery(outcome="revenue", level=level, lookback_days=None)
    assert _credit(markov(mapped, revenue)) == _credit(markov(own, revenue))


def test_without_a_people_table_people_are_the_keys_that_appear(
    lake: tuple[Path, Frames],
) -> None:
    folder, frames = lake
    text = MAPPING.format(lake=folder).split("people:")[0]
    mapped = mapped_tables(connect("duckdb://"), parse_mapping(text))
    people = mapped.person.to_polars()
    seen = frames["activity_touch"].get_column("person_id").drop_nulls().n_unique()
    assert people.height >= seen
    assert people.get_column("id").n_unique() == people.height


@pytest.mark.slow
def test_spark_over_the_lake_gives_revloops_figures(lake: tuple[Path, Frames], spark: Any) -> None:
    folder, frames = lake
    mapped = mapped_tables(connect(spark), parse_mapping(MAPPING.format(lake=folder)))
    own = tables_from_arrow(frames, SOURCES)
    query = JourneyQuery(outcome="pipeline", level="campaign", lookback_days=90.0)
    assert _credit(markov(mapped, query)) == _credit(markov(own, query))


def test_every_problem_is_named_with_its_line() -> None:
    text = """\
touches:
  table: tracks
  parquet: lake/tracks
  person: user_id
  when: timestamp
opportunities:
  table: deals
  id: deal_id
  person: [a, b]
  amount: amount
  stage: stage
  created: created
colour: blue
"""
    with pytest.raises(MappingInvalid) as caught:
        parse_mapping(text, "lake.yaml")
    shown = str(caught.value).splitlines()
    assert shown[0] == "7 errors in the mapping"
    assert shown[1:] == [
        "lake.yaml:1 touches: give exactly one of table (a catalog table) or parquet (a folder)",
        "lake.yaml:1 touches.channel: missing field",
        "lake.yaml:1 touches.time: missing field",
        (
            "lake.yaml:5 touches.when: unknown field; use person, time, channel, campaign, "
            "content, type, id"
        ),
        "lake.yaml:6 opportunities.won: name the stage values that mean won",
        "lake.yaml:9 opportunities.person: expected a name",
        "lake.yaml:13 colour: unknown section; use touches, opportunities, people",
    ]


def test_a_file_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(MappingInvalid, match=r"sources.yaml:1 <root>: expected a mapping"):
        parse_mapping("- touches\n")
    with pytest.raises(MappingInvalid, match=r"sources.yaml:1 opportunities: missing section"):
        parse_mapping("touches:\n  table: t\n  person: p\n  time: t\n  channel: c\n")


def _attribution(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(
        "attribution", "--outcome", "pipeline", "--level", "campaign", "--json", *args, stdout=out
    )
    found: dict[str, Any] = json.loads(out.getvalue())
    return found


def test_the_commands_read_the_lake_that_revloop_sources_names(
    lake: tuple[Path, Frames], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    folder, frames = lake
    mapping = tmp_path / "sources.yaml"
    mapping.write_text(MAPPING.format(lake=folder), encoding="utf-8")
    monkeypatch.setenv("REVLOOP_SOURCES", str(mapping))
    found = _attribution("--engine", "duckdb")
    own = tables_from_arrow(frames, SOURCES)
    query = JourneyQuery(outcome="pipeline", level="campaign", lookback_days=90.0)
    assert {r["label"]: round(r["value"], 6) for r in found["credit"]} == _credit(
        markov(own, query)
    )
    assert found["cache"]["hit"] is False
    assert _attribution("--engine", "duckdb")["cache"]["hit"] is False


def test_a_broken_mapping_stops_the_report_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    mapping = tmp_path / "sources.yaml"
    mapping.write_text("touches:\n  table: t\n  person: p\n  time: t\n", encoding="utf-8")
    monkeypatch.setenv("REVLOOP_SOURCES", str(mapping))
    with pytest.raises(CommandError, match=r"sources.yaml:1 touches.channel: missing field"):
        _attribution("--engine", "duckdb")
