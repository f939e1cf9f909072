"""Real public data sets imported as they come, checked against pandas on the same files.

Maven's CRM pipeline (8,800 opportunities) and Olist's marketing funnel (8,000 MQLs
without emails, 842 won deals) go through `revloop import` unedited; what is stored
must count, sum and split exactly as a pandas computation on the files says. Skipped
when the data sets folder is absent (see tests/conftest.py).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from django.db.models import Sum

from revloop.capture.actions import do_import_file
from revloop.engine.imports import ImportOptions
from revloop.people.models import Account, Person
from revloop.pipeline.models import Opportunity

MAVEN = "maven-crm-sales-opportunities"
OLIST = "olist-marketing-funnel"
STAGES = {"Won": "won", "Lost": "lost", "Engaging": "qualification", "Prospecting": "discovery"}


def _file(datasets: Path, folder: str, name: str) -> Path:
    path = datasets / folder / name
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return path


def _win_rates(pairs: list[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """label → (won, closed) from (label, stage) pairs."""
    won, closed = Counter[str](), Counter[str]()
    for label, stage in pairs:
        if stage in {"won", "lost"}:
            closed[label] += 1
            won[label] += stage == "won"
    return {label: (won[label], closed[label]) for label in closed}


@pytest.mark.django_db
def test_the_maven_pipeline_imports_as_it_comes(datasets: Path) -> None:
    accounts_csv = _file(datasets, MAVEN, "accounts.csv")
    pipeline_csv = _file(datasets, MAVEN, "sales_pipeline.csv")
    frame = pd.read_csv(pipeline_csv)

    accounts = do_import_file("accounts", accounts_csv)
    summary = do_import_file("opportunities", pipeline_csv)

    assert (accounts.created, accounts.error_rows) == (85, 0)
    assert (summary.rows, summary.created, summary.error_rows) == (8_800, 8_800, 0)
    stored = Counter(Opportunity.objects.values_list("stage", flat=True))
    assert stored == Counter(frame["deal_stage"].map(STAGES))
    won_revenue = Opportunity.objects.filter(stage="won").aggregate(s=Sum("amount"))["s"]
    assert won_revenue == Decimal(int(frame.loc[frame.deal_stage == "Won", "close_value"].sum()))
    # The open deals without an amount or a close date are the warnings, one row each.
    assert summary.warning_rows == int(frame["close_date"].isna().sum())

    rows = list(
        Opportunity.objects.values_list(
            "external_id", "stage", "properties", "close_date", "created_at", "account__name"
        )
    )
    closed = frame[frame.deal_stage.isin(["Won", "Lost"])]
    assert {r[0]: r[3] for r in rows if r[1] in {"won", "lost"}} == {
        i: date.fromisoformat(d)
        for i, d in zip(closed.opportunity_id.tolist(), closed.close_date.tolist(), strict=True)
    }
    engaged = frame[frame.engage_date.notna()]
    engaged_ids = set(engaged.opportunity_id.tolist())
    assert {r[0]: r[4] for r in rows if r[0] in engaged_ids} == {
        i: datetime.fromisoformat(d).replace(tzinfo=UTC)
        for i, d in zip(engaged.opportunity_id.tolist(), engaged.engage_date.tolist(), strict=True)
    }
    with_account = frame[frame.account.notna()]
    assert {r[0]: r[5] for r in rows if r[5]} == dict(
        zip(with_account.opportunity_id.tolist(), with_account.account.tolist(), strict=True)
    )

    for column in ("sales_agent", "product"):
        expected = {
            label: (int((group.deal_stage == "Won").sum()), len(group))
            for label, group in closed.groupby(column)
        }
        assert _win_rates([(r[2][column], r[1]) for r in rows]) == expected


@pytest.mark.django_db
def test_the_olist_funnel_imports_as_it_comes(datasets: Path) -> None:
    mql_csv = _file(datasets, OLIST, "olist_marketing_qualified_leads_dataset.csv")
    deals_csv = _file(datasets, OLIST, "olist_closed_deals_dataset.csv")
    mqls = pd.read_csv(mql_csv, keep_default_na=False)
    deals = pd.read_csv(deals_csv)

    people = do_import_file("people", mql_csv, options=ImportOptions(default_stage="mql"))
    won = do_import_file(
        "opportunities",
        deals_csv,
        options=ImportOptions(default_stage="won", columns={"amount": "declared_monthly_revenue"}),
    )

    assert (people.rows, people.created, people.error_rows) == (8_000, 8_000, 0)
    assert (won.rows, won.created, won.error_rows) == (842, 842, 0)
    assert Counter(Person.objects.values_list("source", flat=True)) == Counter(mqls.origin.tolist())
    first_contact = dict(Person.objects.values_list("external_id", "created_at"))
    assert first_contact == {
        m: datetime.fromisoformat(d).replace(tzinfo=UTC)
        for m, d in zip(mqls.mql_id.tolist(), mqls.first_contact_date.tolist(), strict=True)
    }
    assert not Opportunity.objects.filter(primary_contact__isnull=True).exists()
    total = Opportunity.objects.aggregate(s=Sum("amount"))["s"]
    assert total == Decimal(str(deals.declared_monthly_revenue.sum()))

    # Win rate by origin: each MQL is won when one of the deals names it.
    stored_won = Counter(
        Opportunity.objects.filter(stage="won").values_list("primary_contact__source", flat=True)
    )
    stored_all = Counter(Person.objects.values_list("source", flat=True))
    joined = mqls.assign(won=mqls.mql_id.isin(deals.mql_id))
    expected = {
        origin: (int(group.won.sum()), len(group)) for origin, group in joined.groupby("origin")
    }
    assert {o: (stored_won[o], stored_all[o]) for o in stored_all} == expected
    # The deal's own source is its MQL's origin, so reports on opportunities alone agree.
    assert Counter(Opportunity.objects.values_list("source", flat=True)) == stored_won
    assert Account.objects.count() == 0
