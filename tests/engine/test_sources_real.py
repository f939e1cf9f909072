"""The report's arithmetic on two public data sets, read straight from their files and
checked against pandas (no import, no database): Maven's CRM pipeline by sales agent
and product, Olist's MQLs by origin."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from revloop.engine.analytics.labels import BLANK
from revloop.engine.analytics.sources import lead_report, opportunity_report

MAVEN = "maven-crm-sales-opportunities/sales_pipeline.csv"
OLIST_MQL = "olist-marketing-funnel/olist_marketing_qualified_leads_dataset.csv"
OLIST_WON = "olist-marketing-funnel/olist_closed_deals_dataset.csv"


def _file(datasets: Path, name: str) -> Path:
    path = datasets / name
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return path


def maven_frame(path: Path) -> pl.DataFrame:
    raw = pl.read_csv(path, infer_schema_length=0)
    return raw.select(
        id=pl.col("opportunity_id"),
        outcome=pl.col("deal_stage")
        .replace_strict({"Won": "won", "Lost": "lost"}, default="open")
        .cast(pl.String),
        amount=pl.col("close_value").cast(pl.Decimal(38, 2)),
        created=pl.col("engage_date").str.to_date(),
        closed=pl.col("close_date").str.to_date(),
        sales_agent=pl.col("sales_agent"),
        product=pl.col("product"),
    )


def maven_expected(path: Path, column: str) -> pd.DataFrame:
    data = pd.read_csv(path)
    data["won"] = data["deal_stage"].eq("Won")
    data["closed"] = data["deal_stage"].isin(["Won", "Lost"])
    data["cycle"] = (
        pd.to_datetime(data["close_date"]) - pd.to_datetime(data["engage_date"])
    ).dt.days.where(data["won"])
    data["revenue"] = data["close_value"].where(data["won"], 0)
    grouped = data.groupby(column)
    return pd.DataFrame(
        {
            "opportunities": grouped.size(),
            "won": grouped["won"].sum(),
            "closed": grouped["closed"].sum(),
            "win_rate": grouped["won"].sum() / grouped["closed"].sum(),
            "revenue": grouped["revenue"].sum(),
            "median_cycle_days": grouped["cycle"].median(),
        }
    )


@pytest.mark.parametrize("column", ["sales_agent", "product"])
def test_maven_win_rate_revenue_and_cycle_match_pandas(datasets: Path, column: str) -> None:
    path = _file(datasets, MAVEN)
    report = opportunity_report(maven_frame(path), column)
    expected = maven_expected(path, column)
    assert {r["label"] for r in report.rows} == set(expected.index)
    for row in report.rows:
        want = expected.loc[row["label"]]
        assert row["opportunities"] == want["opportunities"]
        assert row["won"] == want["won"]
        assert row["win_rate_denominator"] == want["closed"]
        assert row["win_rate"] == pytest.approx(want["win_rate"], abs=1e-12)
        assert row["revenue"] == Decimal(int(want["revenue"]))
        assert row["median_cycle_days"] == pytest.approx(want["median_cycle_days"])
    (total,) = report.totals
    # The data set's own description: 4,238 won, 2,473 lost, won revenue 10,005,534.
    assert (total["won"], total["lost"], total["revenue"]) == (4238, 2473, Decimal(10_005_534))


def test_maven_product_spellings_are_proposed_not_merged(datasets: Path) -> None:
    frame = maven_frame(_file(datasets, MAVEN))
    spelled = frame.with_columns(
        product=pl.when(pl.col("id").str.starts_with("A"))
        .then(pl.col("product").str.replace("GTXPro", "GTX Pro"))
        .otherwise(pl.col("product"))
    )
    report = opportunity_report(spelled, "product")
    assert {r["label"] for r in report.rows} >= {"GTXPro", "GTX Pro"}
    assert [(p.canonical, p.variants) for p in report.proposals] == [("GTXPro", ("GTX Pro",))]


def test_olist_won_over_mqls_by_origin_matches_pandas(datasets: Path) -> None:
    mqls_path, won_path = _file(datasets, OLIST_MQL), _file(datasets, OLIST_WON)
    mqls = pl.read_csv(mqls_path, infer_schema_length=0)
    won = pl.read_csv(won_path, infer_schema_length=0)
    report = lead_report(
        mqls.select(id=pl.col("mql_id"), origin=pl.col("origin")),
        won.select(lead_id=pl.col("mql_id"), outcome=pl.lit("won")),
        "origin",
    )
    leads = pd.read_csv(mqls_path)
    closed = set(pd.read_csv(won_path)["mql_id"])
    leads["won"] = leads["mql_id"].isin(closed)
    leads["origin"] = leads["origin"].fillna(BLANK)
    expected = leads.groupby("origin")["won"].agg(["size", "sum"])
    assert {r["label"] for r in report.rows} == set(expected.index)
    for row in report.rows:
        size, wins = expected.loc[row["label"]]
        assert (row["leads"], row["won"]) == (size, wins)
        assert row["conversion_rate"] == pytest.approx(wins / size, abs=1e-12)
    assert (report.totals[0]["leads"], report.totals[0]["won"]) == (8000, 842)
