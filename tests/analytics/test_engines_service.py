"""The reports the app serves are the same whichever engine computes them: the
Django database (SQLite or PostgreSQL), its DuckDB copy, and Spark reading the same
company from Parquet (``REVLOOP_SPARK_PARQUET``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from revloop.analytics.reports import AttributionParams, Reports
from tests.analytics.demo_data import NOW, demo_frames
from tests.analytics.seeded import seed_company

LEADS, SEED = 400, 5


def _figures(engine: str) -> dict[str, Any]:
    with Reports(engine=engine, fresh=True) as reports:
        funnel = reports.funnel(by=("source",))
        attribution = reports.attribution(AttributionParams(model="markov", outcome="pipeline"))
        rejections = reports.rejections("source")
    return {
        "funnel": [
            {
                k: v
                for k, v in step.items()
                if k
                in (
                    "source",
                    "from_stage",
                    "to_stage",
                    "entered",
                    "converted",
                    "still_open",
                    "days_in_stage_p50",
                )
            }
            for step in funnel["steps"]
        ],
        "credit": {row["label"]: round(row["value"], 4) for row in attribution["credit"]},
        "rejections": sorted(
            (r["value"], r["reason"], r["rejections"]) for r in rejections["rows"]
        ),
    }


def _same(left: dict[str, Any], right: dict[str, Any]) -> None:
    assert left["credit"] == right["credit"]
    assert left["rejections"] == right["rejections"]
    assert len(left["funnel"]) == len(right["funnel"])
    for a, b in zip(left["funnel"], right["funnel"], strict=True):
        assert a == pytest.approx(b)


@pytest.mark.django_db
def test_database_and_duckdb_copy_agree() -> None:
    seed_company(leads=LEADS, seed=SEED, now=NOW)
    _same(_figures("database"), _figures("duckdb"))


@pytest.mark.slow
@pytest.mark.django_db
def test_spark_from_parquet_agrees_with_the_database(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_company(leads=LEADS, seed=SEED, now=NOW)
    for name, frame in demo_frames(LEADS, seed=SEED).items():
        (tmp_path / name).mkdir()
        frame.write_parquet(tmp_path / name / "part-0.parquet")
    monkeypatch.setenv("REVLOOP_SPARK_MASTER", "local[2]")
    monkeypatch.setenv("REVLOOP_SPARK_PARQUET", str(tmp_path))
    _same(_figures("database"), _figures("spark"))
