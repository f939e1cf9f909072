"""`revloop funnel`, `revloop attribution` and `revloop content`: tables or one JSON document."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.analytics.seeded import seed_company

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def company(db: None) -> None:
    seed_company(leads=300, seed=5, now=NOW)


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("company")
def test_funnel_json_is_one_document_with_every_slice() -> None:
    found = json.loads(_run("funnel", "--by", "source", "--json"))
    assert found["dimensions"] == ["source"]
    sources = {step["source"] for step in found["steps"]}
    assert "referral" in sources
    assert all(
        set(step) >= {"conversion_rate", "drop_off_rate", "days_in_stage_p90"}
        for step in found["steps"]
    )


@pytest.mark.usefixtures("company")
def test_funnel_human_table_names_the_steps() -> None:
    text = _run("funnel")
    assert "lead → mql" in text
    assert "right-censored" in text


@pytest.mark.usefixtures("company")
def test_attribution_json_and_comparison() -> None:
    found = json.loads(
        _run(
            "attribution",
            "--model",
            "w_shaped",
            "--outcome",
            "pipeline",
            "--level",
            "content",
            "--compare",
            "first,last",
            "--json",
        )
    )
    assert found["model"] == "w_shaped"
    assert found["level"] == "content"
    assert found["comparison"]["models"] == ["first", "last"]
    text = _run("attribution", "--model", "shapley", "--lookback-days", "none")
    assert "Shapley value attribution, revenue by channel" in text


@pytest.mark.usefixtures("company")
def test_compare_alone_shows_the_marketing_pages_models() -> None:
    from revloop.analytics.reports import DEFAULT_COMPARE

    found = json.loads(_run("attribution", "--compare", "--json"))
    assert found["comparison"]["models"] == list(DEFAULT_COMPARE)
    assert "comparison" not in json.loads(_run("attribution", "--json"))


@pytest.mark.usefixtures("company")
def test_content_lists_assets() -> None:
    found = json.loads(_run("content", "--json"))
    assert found["assets"]
    assert "Content effectiveness" in _run("content")


def test_attribution_reads_a_channelattribution_path_file(tmp_path: Path) -> None:
    paths = tmp_path / "paths.csv"
    paths.write_text(
        "path;total_conversions;total_conversion_value;total_null\n"
        "email > search;2;200;1\n"
        "search;1;50;3\n"
        "email;0;0;4\n"
    )
    first = json.loads(_run("attribution", "--paths", str(paths), "--model", "first", "--json"))
    credit = {row["label"]: row["value"] for row in first["credit"]}
    assert credit == {"email": 200.0, "search": 50.0}
    markov = json.loads(_run("attribution", "--paths", str(paths), "--model", "markov", "--json"))
    assert sum(row["conversions"] for row in markov["credit"]) == pytest.approx(3.0)


def test_a_bad_path_file_is_one_line_error(tmp_path: Path) -> None:
    paths = tmp_path / "paths.csv"
    paths.write_text("path;total_conversions\n;-1\n")
    with pytest.raises(CommandError, match=str(paths)):
        _run("attribution", "--paths", str(paths), "--model", "first")


@pytest.mark.django_db
def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(CommandError):
        _run("funnel", "--engine", "abacus")


def test_the_light_choices_match_the_engine() -> None:
    from typing import get_args

    from revloop.analytics.choices import LEVELS, MODEL_LABELS, OUTCOMES
    from revloop.engine.analytics import Level, Outcome
    from revloop.engine.attribution import MODELS

    assert get_args(Outcome) == OUTCOMES
    assert get_args(Level) == LEVELS
    assert set(MODEL_LABELS) == set(MODELS)


def test_a_path_file_without_values_credits_conversions(tmp_path: Path) -> None:
    paths = tmp_path / "paths.csv"
    paths.write_text("path;total_conversions;total_null\nemail > search;2;1\nsearch;1;3\n")
    found = json.loads(_run("attribution", "--paths", str(paths), "--model", "first", "--json"))
    assert found["value_column"] is None
    assert found["nulls_column"] == "total_null"
    assert {row["label"]: row["conversions"] for row in found["credit"]} == {
        "email": 2.0,
        "search": 1.0,
    }
    assert "no total_conversion_value column" in _run(
        "attribution", "--paths", str(paths), "--model", "first"
    )


def test_a_path_file_missing_conversions_names_the_columns_found(tmp_path: Path) -> None:
    paths = tmp_path / "paths.csv"
    paths.write_text("path;conversions\nemail;1\n")
    with pytest.raises(CommandError, match=r"missing column.*'total_conversions'.*'conversions'"):
        _run("attribution", "--paths", str(paths), "--model", "first")
