"""Opportunities and leads by their own labels: counts that add up, win rates that
state their parts, money as Decimal, and one answer whatever the row order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revloop.engine.analytics.labels import BLANK, AliasMap
from revloop.engine.analytics.sources import (
    SourceReportError,
    lead_report,
    opportunity_report,
)

D0 = date(2026, 1, 1)


def _deals(*rows: tuple[str | None, str, str, int | None]) -> pl.DataFrame:
    """(source, outcome, amount, cycle days) per opportunity."""
    return pl.DataFrame(
        {
            "id": list(range(1, len(rows) + 1)),
            "source": [r[0] for r in rows],
            "outcome": [r[1] for r in rows],
            "amount": [Decimal(r[2]) for r in rows],
            "created": [D0] * len(rows),
            "closed": [
                None if r[3] is None else date.fromordinal(D0.toordinal() + r[3]) for r in rows
            ],
        }
    )


def test_each_source_has_its_counts_win_rate_revenue_average_and_median_cycle() -> None:
    report = opportunity_report(
        _deals(
            ("Web", "won", "1000.10", 10),
            ("Web", "won", "500.00", 30),
            ("Web", "won", "0.05", 20),
            ("Web", "lost", "900", 5),
            ("Web", "open", "700", None),
            ("Partner", "lost", "50", 3),
        ),
        "source",
    )
    web = report.row("Web")
    assert (web["opportunities"], web["won"], web["lost"], web["open"]) == (5, 3, 1, 1)
    assert web["win_rate"] == pytest.approx(3 / 4)
    assert (web["win_rate_numerator"], web["win_rate_denominator"]) == (3, 4)
    assert web["revenue"] == Decimal("1500.15")
    assert web["average_deal"] == Decimal("500.05")
    assert web["median_cycle_days"] == 20.0
    partner = report.row("Partner")
    assert partner["win_rate"] == 0.0
    assert partner["revenue"] == Decimal(0)
    assert partner["average_deal"] is None
    assert partner["median_cycle_days"] is None


def test_nothing_closed_has_no_win_rate_rather_than_zero() -> None:
    report = opportunity_report(_deals(("Web", "open", "10", None)), "source")
    assert report.row("Web")["win_rate"] is None
    assert report.row("Web")["win_rate_denominator"] == 0


def test_blank_and_whitespace_labels_are_one_blank_row() -> None:
    report = opportunity_report(
        _deals((None, "won", "1", 1), ("  ", "lost", "1", 1), ("", "open", "1", None)),
        "source",
    )
    assert [r["label"] for r in report.rows] == [BLANK]
    assert report.row(BLANK)["opportunities"] == 3


def test_rows_order_by_revenue_then_label() -> None:
    report = opportunity_report(
        _deals(
            ("b", "won", "10", 1),
            ("a", "won", "10", 1),
            ("c", "won", "99", 1),
            ("d", "lost", "5", 1),
        ),
        "source",
    )
    assert [r["label"] for r in report.rows] == ["c", "a", "b", "d"]


def test_two_columns_give_one_row_per_pair() -> None:
    frame = _deals(("Web", "won", "1", 1), ("Web", "lost", "1", 1)).with_columns(
        region=pl.Series(["EMEA", "APAC"])
    )
    report = opportunity_report(frame, ["source", "region"])
    assert {r["label"] for r in report.rows} == {"Web / EMEA", "Web / APAC"}
    assert report.row("Web / EMEA")["labels"] == {"source": "Web", "region": "EMEA"}


def test_currencies_are_never_added_together() -> None:
    frame = _deals(("Web", "won", "100", 1), ("Web", "won", "50", 1)).with_columns(
        currency=pl.Series(["USD", "EUR"])
    )
    report = opportunity_report(frame, "source")
    assert report.row("Web", "USD")["revenue"] == Decimal(100)
    assert report.row("Web", "EUR")["revenue"] == Decimal(50)
    assert {t["currency"]: t["revenue"] for t in report.totals} == {
        "EUR": Decimal(50),
        "USD": Decimal(100),
    }


def test_cycle_from_aware_times_and_negative_cycles_are_kept_and_counted() -> None:
    frame = pl.DataFrame(
        {
            "id": [1, 2],
            "source": ["x", "x"],
            "outcome": ["won", "won"],
            "amount": [1.0, 2.0],
            "created": [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 10, tzinfo=UTC)],
            "closed": [datetime(2026, 1, 2, 12, tzinfo=UTC), datetime(2026, 1, 8, tzinfo=UTC)],
        }
    )
    row = opportunity_report(frame, "source").row("x")
    assert row["median_cycle_days"] == pytest.approx((1.5 - 2) / 2)
    assert row["negative_cycles"] == 1


def test_bad_input_names_the_column_or_record() -> None:
    frame = _deals(("Web", "won", "1", 1))
    with pytest.raises(SourceReportError, match="'region'"):
        opportunity_report(frame, "region")
    with pytest.raises(SourceReportError, match="not one of"):
        opportunity_report(frame.with_columns(outcome=pl.lit("closed")), "source")
    with pytest.raises(SourceReportError, match=r"\[None\] not one of"):
        opportunity_report(frame.with_columns(outcome=pl.lit(None, pl.String)), "source")
    with pytest.raises(SourceReportError, match="appears twice"):
        opportunity_report(pl.concat([frame, frame]), "source")
    naive = frame.with_columns(created=pl.lit(datetime(2026, 1, 1)))
    with pytest.raises(SourceReportError, match="time zone"):
        opportunity_report(naive, "source")


def test_confirmed_aliases_group_by_the_canonical_label() -> None:
    frame = _deals(
        ("Tradeshow", "won", "10", 1),
        ("Trade Show", "won", "20", 1),
        ("trade-show", "lost", "1", 1),
        ("Web", "won", "5", 1),
    )
    before = opportunity_report(frame, "source")
    assert len(before.rows) == 4
    assert before.proposals[0].canonical == "Trade Show"
    aliases = AliasMap.parse({"source": {"Trade Show": "Tradeshow"}})
    after = opportunity_report(frame, "source", aliases=aliases)
    show = after.row("Tradeshow")
    assert (show["opportunities"], show["won"], show["revenue"]) == (3, 2, Decimal(30))
    assert after.aliases_applied == {
        "source": {"Trade Show": "Tradeshow", "trade-show": "Tradeshow"}
    }
    assert after.proposals == []
    # An alias for another column changes nothing here.
    other = opportunity_report(frame, "source", aliases=AliasMap.parse({"region": {"Web": "x"}}))
    assert len(other.rows) == 4


# Property tests --------------------------------------------------------------------

_ROW = st.tuples(
    st.sampled_from(["Web", "web", "Partner", "", None, "Trade Show", "Événement"]),
    st.sampled_from(["won", "lost", "open"]),
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    st.integers(min_value=-5, max_value=400),
    st.sampled_from(["EMEA", "APAC", None]),
)


def _frame(rows: list[tuple[str | None, str, Decimal, int, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": list(range(len(rows))),
            "source": [r[0] for r in rows],
            "outcome": [r[1] for r in rows],
            "amount": pl.Series([r[2] for r in rows], dtype=pl.Decimal(38, 2)),
            "created": [D0] * len(rows),
            "closed": [
                None if r[1] == "open" else date.fromordinal(D0.toordinal() + r[3]) for r in rows
            ],
            "region": [r[4] for r in rows],
        },
        schema_overrides={"source": pl.String, "region": pl.String},
    )


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(_ROW, min_size=1, max_size=40), seed=st.integers(0, 2**32 - 1))
def test_row_order_never_changes_the_report(rows: list, seed: int) -> None:
    frame = _frame(rows)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=seed)
    for by in ("source", ["region", "source"]):
        assert opportunity_report(frame, by).as_dict() == opportunity_report(shuffled, by).as_dict()


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(_ROW, min_size=1, max_size=40))
def test_counts_and_money_add_up_and_win_rate_states_its_parts(rows: list) -> None:
    frame = _frame(rows)
    report = opportunity_report(frame, "source")
    (total,) = report.totals
    assert sum(r["opportunities"] for r in report.rows) == frame.height == total["opportunities"]
    assert sum(r["revenue"] for r in report.rows) == total["revenue"]
    won_amounts = [r[2] for r in rows if r[1] == "won"]
    assert total["revenue"] == sum(won_amounts, Decimal(0))
    for row in report.rows:
        assert row["opportunities"] == row["won"] + row["lost"] + row["open"]
        assert row["win_rate_numerator"] == row["won"]
        assert row["win_rate_denominator"] == row["won"] + row["lost"]
        if row["win_rate_denominator"]:
            assert row["win_rate"] == row["won"] / row["win_rate_denominator"]
            assert 0 <= row["win_rate"] <= 1
        else:
            assert row["win_rate"] is None


# Leads ----------------------------------------------------------------------------


def test_leads_convert_once_however_many_deals_they_have() -> None:
    leads = pl.DataFrame({"id": [1, 2, 3, 4], "source": ["web", "web", "web", None]})
    links = pl.DataFrame(
        {"lead_id": [1, 1, 2, 4, 99], "outcome": ["won", "won", "lost", "open", "won"]}
    )
    report = lead_report(leads, links, "source")
    web = report.row("web")
    assert (web["leads"], web["opportunities"], web["won"]) == (3, 2, 1)
    assert web["conversion_rate"] == pytest.approx(1 / 3)
    assert (web["conversion_rate_numerator"], web["conversion_rate_denominator"]) == (1, 3)
    blank = report.row(BLANK)
    assert (blank["leads"], blank["opportunities"], blank["won"]) == (1, 1, 0)
    assert report.totals[0]["leads"] == 4


@settings(max_examples=40, deadline=None)
@given(
    sources=st.lists(st.sampled_from(["a", "b", "", None]), min_size=1, max_size=30),
    links=st.lists(
        st.tuples(st.integers(0, 35), st.sampled_from(["won", "lost", "open"])), max_size=40
    ),
    seed=st.integers(0, 1000),
)
def test_lead_report_counts_never_exceed_leads_and_ignore_order(
    sources: list, links: list, seed: int
) -> None:
    leads = pl.DataFrame(
        {"id": list(range(len(sources))), "source": sources}, schema_overrides={"source": pl.String}
    )
    linked = pl.DataFrame(
        {"lead_id": [i for i, _ in links], "outcome": [o for _, o in links]},
        schema={"lead_id": pl.Int64, "outcome": pl.String},
    )
    report = lead_report(leads, linked)
    assert sum(r["leads"] for r in report.rows) == len(sources)
    for row in report.rows:
        assert row["won"] <= row["opportunities"] <= row["leads"]
    again = lead_report(leads.sample(fraction=1.0, shuffle=True, seed=seed), linked.reverse())
    assert again.as_dict() == report.as_dict()
