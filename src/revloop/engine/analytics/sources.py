"""Single-touch reports: opportunities (or leads) grouped by one or more of their own
labels -- lead source, type, region, owner, product, any imported column.

:func:`opportunity_report` reads a frame with one row per opportunity:

- ``id`` (unique), ``outcome`` (``won``, ``lost`` or ``open``), ``amount`` (a number
  or a Decimal; money is summed as Decimal, never as float), optional ``currency``,
  ``created`` and ``closed`` (dates or time-zone-aware times; ``closed`` may be
  null), and the label columns named in ``by``.

Per label (per label and currency when the frame holds several currencies, whose
amounts are never added together) it gives:

- ``opportunities`` = ``won`` + ``lost`` + ``open``;
- ``win_rate`` = won / (won + lost), with ``win_rate_numerator`` and
  ``win_rate_denominator``; None when nothing is closed (open deals are not lost);
- ``revenue``: the sum of won amounts, ``average_deal`` = revenue / the won deals
  that have an amount, both Decimal;
- ``median_cycle_days``: the median of (closed - created) in days over won deals
  having both dates (``cycle_deals`` of them). Negative cycles (a close recorded before
  creation) are kept, as the data says, and counted in ``negative_cycles``.

Blank labels are reported as ``(blank)``; labels the :class:`~.labels.AliasMap` maps
are reported under their canonical label. Rows come in one order whatever the input
order: revenue descending, then label, then currency.

:func:`lead_report` does the same for leads (people) and the opportunities linked to
them: ``leads``, ``opportunities`` (leads with at least one), ``won`` (leads with at
least one won) and ``conversion_rate`` = won / leads. Counted per lead, so no count
ever exceeds ``leads``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

import polars as pl

from revloop.engine.analytics.labels import (
    AliasMap,
    MergeProposal,
    clean_label,
    propose_merges,
)

Outcome = Literal["won", "lost", "open"]
OUTCOMES: tuple[str, ...] = ("won", "lost", "open")
#: Decimal places money is summed with when amounts arrive as numbers.
MONEY_SCALE = 2
_US_PER_DAY = 86_400 * 1_000_000
_SEPARATOR = " / "


class SourceReportError(ValueError):
    """Input the report cannot read; the message names the column or row."""


@dataclass(frozen=True)
class LabelReport:
    """Rows per label (module docstring); ``totals`` over every row, per currency."""

    kind: Literal["opportunities", "leads"]
    by: tuple[str, ...]
    rows: list[dict[str, Any]]
    totals: list[dict[str, Any]]
    proposals: list[MergeProposal] = field(default_factory=list)
    aliases_applied: dict[str, dict[str, str]] = field(default_factory=dict)

    def row(self, label: str, currency: str | None = None) -> dict[str, Any]:
        found = [
            r
            for r in self.rows
            if r["label"] == label and (currency is None or r.get("currency") == currency)
        ]
        if len(found) != 1:
            raise KeyError(f"no single row labelled {label!r}")
        return found[0]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "by": list(self.by),
            "rows": self.rows,
            "totals": self.totals,
            "merge_proposals": [p.as_dict() for p in self.proposals],
            "aliases_applied": self.aliases_applied,
        }


def _require(frame: pl.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceReportError(f"{what}: no column {', '.join(map(repr, missing))}")


def _check_by(by: str | Sequence[str]) -> tuple[str, ...]:
    dims = (by,) if isinstance(by, str) else tuple(by)
    if not dims:
        raise SourceReportError("by: name at least one column to group by")
    if len(set(dims)) != len(dims):
        raise SourceReportError(f"by: {list(dims)} names a column twice")
    return dims


def _labelled(
    frame: pl.DataFrame, dims: tuple[str, ...], aliases: AliasMap
) -> tuple[pl.DataFrame, dict[str, dict[str, str]]]:
    """``frame`` with ``_label_<i>`` columns: cleaned, blank-filled, aliased labels."""
    applied: dict[str, dict[str, str]] = {}
    columns = []
    for i, dim in enumerate(dims):
        raw = frame.get_column(dim).cast(pl.String)
        distinct = raw.unique().to_list()
        cleaned = {value: clean_label(value) for value in distinct if value is not None}
        mapping = aliases.apply(dim, set(cleaned.values()))
        merged = {k: v for k, v in mapping.items() if k != v}
        if merged:
            applied[dim] = dict(sorted(merged.items()))
        final = {value: mapping[label] for value, label in cleaned.items()}
        columns.append(
            raw.replace_strict(final, default=clean_label(None), return_dtype=pl.String).alias(
                f"_label_{i}"
            )
        )
    return frame.with_columns(columns), applied


def _proposals(labelled: pl.DataFrame, dims: tuple[str, ...]) -> list[MergeProposal]:
    found: list[MergeProposal] = []
    for i, dim in enumerate(dims):
        counts = labelled.get_column(f"_label_{i}").value_counts(name="n")
        found.extend(
            propose_merges(dim, dict(zip(counts[f"_label_{i}"], counts["n"], strict=True)))
        )
    return found


def _money(amount: pl.Series) -> pl.Expr:
    if isinstance(amount.dtype, pl.Decimal):
        return pl.col("amount")
    if not amount.dtype.is_numeric() and amount.dtype != pl.Null:
        raise SourceReportError(f"amount: must be numbers, got {amount.dtype}")
    return pl.col("amount").cast(pl.Decimal(38, MONEY_SCALE))


def _time_us(frame: pl.DataFrame, name: str) -> pl.Expr:
    dtype = frame.schema[name]
    column = pl.col(name)
    if dtype == pl.Date:
        return column.cast(pl.Datetime("us")).dt.epoch("us")
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            raise SourceReportError(f"{name}: times must carry a time zone")
        return column.dt.epoch("us")
    if dtype == pl.Null:
        return pl.lit(None, pl.Int64)
    raise SourceReportError(f"{name}: must be dates or times, got {dtype}")


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _quantum(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return Decimal(1).scaleb(-places)


def _average(revenue: Decimal, deals: int) -> Decimal | None:
    if not deals:
        return None
    return (revenue / deals).quantize(_quantum(revenue), rounding=ROUND_HALF_EVEN)


def _label_fields(row: Mapping[str, Any], dims: tuple[str, ...]) -> dict[str, Any]:
    values = [row[f"_label_{i}"] for i in range(len(dims))]
    return {"label": _SEPARATOR.join(values), "labels": dict(zip(dims, values, strict=True))}


def opportunity_report(
    frame: pl.DataFrame,
    by: str | Sequence[str],
    *,
    aliases: AliasMap | None = None,
    propose: bool = True,
) -> LabelReport:
    """Opportunities, win rate, revenue, average deal and median cycle per label
    (module docstring); near-duplicate labels listed in ``proposals``."""
    dims = _check_by(by)
    _require(frame, ("id", "outcome", "amount", "created", "closed", *dims), "opportunities")
    duplicated = frame.filter(pl.col("id").is_duplicated()).get_column("id")
    if duplicated.len():
        raise SourceReportError(f"opportunity {duplicated.sort()[0]!r}: id appears twice")
    outcome = pl.col("outcome")
    unknown = frame.filter(outcome.is_null() | ~outcome.is_in(OUTCOMES)).get_column("outcome")
    if unknown.len():
        shown = unknown.unique().sort(nulls_last=True).to_list()[:5]
        raise SourceReportError(f"outcome: {shown} not one of {', '.join(OUTCOMES)}")
    if "currency" not in frame.columns:
        frame = frame.with_columns(currency=pl.lit(None, pl.String))
    labelled, applied = _labelled(frame, dims, aliases or AliasMap({}))
    won = pl.col("outcome") == "won"
    cycle = (_time_us(frame, "closed") - _time_us(frame, "created")) / _US_PER_DAY
    data = labelled.select(
        *(f"_label_{i}" for i in range(len(dims))),
        "outcome",
        pl.col("currency").cast(pl.String),
        revenue=pl.when(won).then(_money(frame.get_column("amount"))),
        cycle=pl.when(won).then(cycle),
    )
    keys = [*(f"_label_{i}" for i in range(len(dims))), "currency"]
    stats = data.group_by(keys).agg(_OPPORTUNITY_STATS)
    rows = [_opportunity_row(row, dims) for row in stats.iter_rows(named=True)]
    rows.sort(key=lambda r: (-r["revenue"], r["label"], r["currency"] or ""))
    totals = _opportunity_totals(data)
    return LabelReport(
        kind="opportunities",
        by=dims,
        rows=rows,
        totals=totals,
        proposals=_proposals(labelled, dims) if propose else [],
        aliases_applied=applied,
    )


_OPPORTUNITY_STATS = [
    pl.len().alias("opportunities"),
    *((pl.col("outcome") == outcome).sum().alias(outcome) for outcome in OUTCOMES),
    pl.col("revenue").sum().alias("revenue"),
    pl.col("revenue").count().alias("priced"),
    pl.col("cycle").median().alias("median_cycle_days"),
    pl.col("cycle").count().alias("cycle_deals"),
    (pl.col("cycle") < 0).sum().alias("negative_cycles"),
]


def _opportunity_row(row: Mapping[str, Any], dims: tuple[str, ...]) -> dict[str, Any]:
    won, lost = int(row["won"]), int(row["lost"])
    revenue = row["revenue"] if row["revenue"] is not None else Decimal(0)
    return {
        **_label_fields(row, dims),
        "currency": row["currency"],
        "opportunities": int(row["opportunities"]),
        "won": won,
        "lost": lost,
        "open": int(row["open"]),
        "win_rate": _rate(won, won + lost),
        "win_rate_numerator": won,
        "win_rate_denominator": won + lost,
        "revenue": revenue,
        "average_deal": _average(revenue, int(row["priced"])),
        "median_cycle_days": row["median_cycle_days"],
        "cycle_deals": int(row["cycle_deals"]),
        "negative_cycles": int(row["negative_cycles"]),
    }


def _opportunity_totals(data: pl.DataFrame) -> list[dict[str, Any]]:
    stats = data.group_by("currency").agg(_OPPORTUNITY_STATS)
    totals = []
    for row in stats.iter_rows(named=True):
        found = _opportunity_row({**row, "_label_0": "(all)"}, ("all",))
        del found["labels"]
        totals.append(found)
    return sorted(totals, key=lambda r: r["currency"] or "")


def lead_report(
    leads: pl.DataFrame,
    links: pl.DataFrame,
    by: str | Sequence[str] = "source",
    *,
    aliases: AliasMap | None = None,
    propose: bool = True,
) -> LabelReport:
    """Leads, leads with an opportunity, leads won and conversion (won / leads) per
    label of the lead. ``leads``: ``id`` and the ``by`` columns; ``links``: one row per
    opportunity and lead on it, ``lead_id`` and ``outcome`` (module docstring)."""
    dims = _check_by(by)
    _require(leads, ("id", *dims), "leads")
    _require(links, ("lead_id", "outcome"), "opportunities")
    duplicated = leads.filter(pl.col("id").is_duplicated()).get_column("id")
    if duplicated.len():
        raise SourceReportError(f"lead {duplicated.sort()[0]!r}: id appears twice")
    per_lead = links.group_by("lead_id").agg(
        has_opportunity=pl.lit(value=True),
        has_won=(pl.col("outcome") == "won").any(),
    )
    labelled, applied = _labelled(leads, dims, aliases or AliasMap({}))
    keys = [f"_label_{i}" for i in range(len(dims))]
    data = labelled.select("id", *keys).join(per_lead, left_on="id", right_on="lead_id", how="left")
    stats = data.group_by(keys).agg(
        leads=pl.len(),
        opportunities=pl.col("has_opportunity").fill_null(value=False).sum(),
        won=pl.col("has_won").fill_null(value=False).sum(),
    )
    rows = [_lead_row(row, dims) for row in stats.iter_rows(named=True)]
    rows.sort(key=lambda r: (-r["won"], -r["leads"], r["label"]))
    everything = stats.select(pl.col("leads", "opportunities", "won").sum())
    total = _lead_row({**everything.row(0, named=True), "_label_0": "(all)"}, ("all",))
    del total["labels"]
    return LabelReport(
        kind="leads",
        by=dims,
        rows=rows,
        totals=[total],
        proposals=_proposals(labelled, dims) if propose else [],
        aliases_applied=applied,
    )


def _lead_row(row: Mapping[str, Any], dims: tuple[str, ...]) -> dict[str, Any]:
    leads, won = int(row["leads"]), int(row["won"])
    return {
        **_label_fields(row, dims),
        "leads": leads,
        "opportunities": int(row["opportunities"]),
        "won": won,
        "conversion_rate": _rate(won, leads),
        "conversion_rate_numerator": won,
        "conversion_rate_denominator": leads,
    }
