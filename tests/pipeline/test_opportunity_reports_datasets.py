"""Two public data sets imported through the real commands, then reported on: the
win rates must equal a pandas computation on the same files.

- Maven's CRM pipeline (8,800 opportunities): `revloop import opportunities`, then
  `revloop opportunities report --by sales_agent` and `--by product` (columns the
  import keeps under their header names).
- Olist's marketing funnel: the 8,000 MQLs as people (`source` = origin), the 842
  closed deals as won opportunities of those people; `revloop leads report --by
  origin` is won deals / MQLs per origin.

Skipped when the data sets folder is absent (tests/conftest.py).
"""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.management import call_command

MAVEN = "maven-crm-sales-opportunities/sales_pipeline.csv"
OLIST_MQL = "olist-marketing-funnel/olist_marketing_qualified_leads_dataset.csv"
OLIST_WON = "olist-marketing-funnel/olist_closed_deals_dataset.csv"


def _file(datasets: Path, name: str) -> Path:
    path = datasets / name
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return path


def _run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.mark.django_db
def test_maven_win_rates_by_agent_and_product_equal_pandas(datasets: Path) -> None:
    pipeline = _file(datasets, MAVEN)
    _run("import", "opportunities", str(pipeline))
    frame = pd.read_csv(pipeline)
    frame["won"] = frame["deal_stage"].eq("Won")
    frame["closed"] = frame["deal_stage"].isin(["Won", "Lost"])
    frame["revenue"] = frame["close_value"].where(frame["won"], 0)
    for column in ("sales_agent", "product"):
        report = _run("opportunities", "report", "--by", column)
        grouped = frame.groupby(column)
        expected = {
            label: (len(group), int(group.won.sum()), int(group.closed.sum()), group.revenue.sum())
            for label, group in grouped
        }
        found = {
            row["label"]: (
                row["opportunities"],
                row["won"],
                row["win_rate_denominator"],
                Decimal(row["revenue"]),
            )
            for row in report["rows"]
        }
        assert found == {k: (n, w, c, Decimal(int(r))) for k, (n, w, c, r) in expected.items()}
        for row in report["rows"]:
            _, won, closed, _ = expected[row["label"]]
            assert row["win_rate"] == pytest.approx(won / closed, abs=1e-12)
        assert report["columns"][column] == f"properties[{column!r}]"

    # No people: the funnel is the deals' own stages, with the file's counts.
    funnel = _run("funnel")
    assert funnel["basis"] == "opportunities"
    (step,) = funnel["steps"]
    counts = frame["deal_stage"].value_counts()
    assert (step["entered"], step["converted"], step["lost"], step["still_open"]) == (
        len(frame),
        counts["Won"],
        counts["Lost"],
        counts["Engaging"] + counts["Prospecting"],
    )


@pytest.mark.django_db
def test_olist_won_over_mqls_by_origin_equals_pandas(datasets: Path) -> None:
    mql_csv, deals_csv = _file(datasets, OLIST_MQL), _file(datasets, OLIST_WON)
    _run("import", "people", str(mql_csv), "--stage", "mql")
    _run(
        "import",
        "opportunities",
        str(deals_csv),
        "--stage",
        "won",
        "--column",
        "amount=declared_monthly_revenue",
    )
    mqls = pd.read_csv(mql_csv, keep_default_na=False)
    won_ids = set(pd.read_csv(deals_csv)["mql_id"])
    mqls["won"] = mqls["mql_id"].isin(won_ids)
    mqls["origin"] = mqls["origin"].replace("", "(blank)")
    expected = {
        origin: (len(group), int(group.won.sum())) for origin, group in mqls.groupby("origin")
    }

    leads = _run("leads", "report", "--by", "origin")
    assert {r["label"]: (r["leads"], r["won"]) for r in leads["rows"]} == expected
    for row in leads["rows"]:
        leads_n, won = expected[row["label"]]
        assert row["conversion_rate"] == pytest.approx(won / leads_n, abs=1e-12)
        assert (row["conversion_rate_numerator"], row["conversion_rate_denominator"]) == (
            won,
            leads_n,
        )
    assert (leads["totals"][0]["leads"], leads["totals"][0]["won"]) == (8000, 842)

    # The deals carry their MQL's origin as lead source: the same wins per origin.
    deals = _run("opportunities", "report", "--by", "source")
    assert {r["label"]: r["won"] for r in deals["rows"]} == {
        origin: won for origin, (_, won) in expected.items() if won
    }
