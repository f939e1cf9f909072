"""Do the honest-pipeline checks find the deals the demo company stuffed?

    .venv/bin/python benchmarks/bench_pipeline_checks.py [--leads 50000] [--seed 7]
        [--now 2026-12-01] [--months 12] [--backtest 4]

Generates the demo company (no database: the same tables ``revloop demo`` stores,
with the same ids) and its answer key, the opportunities the generator stuffed into
the pipeline (``stuffed_opportunities`` of ``revloop demo answers``). Then runs the
checks with the default contract's thresholds, as ``revloop pipeline check`` does:

- ``open``: the pipeline today (what the command judges); the key is the stuffed
  deals still open;
- ``all``: ``--all``, every closed deal too, as it stood just before it closed; the
  key is every stuffed deal.

A deal counts as found when it is a suspect (flagged by ``suspect_checks`` checks
or more). Prints precision and recall of each, how often each check fired on stuffed
and honest deals, and the forecast backtest on the same history.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))

from demo_pipeline import demo_pipeline
from revloop.engine.contract import default_contract
from revloop.engine.pipeline import check_pipeline, open_at
from revloop.engine.pipeline.backtest import backtest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--now", type=dt.date.fromisoformat, default=dt.date(2026, 12, 1))
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--backtest", type=int, default=4, metavar="QUARTERS")
    args = parser.parse_args()
    now = dt.datetime(args.now.year, args.now.month, args.now.day, tzinfo=dt.UTC)
    started = time.perf_counter()
    demo = demo_pipeline(args.leads, args.seed, now, args.months)
    data = demo.data
    print(
        f"demo: {args.leads:,} leads, seed {args.seed}, {args.months} months to {args.now}: "
        f"{data.opportunities.height:,} opportunities, {len(demo.stuffed):,} stuffed "
        f"({time.perf_counter() - started:.1f} s)"
    )
    checks = default_contract().pipeline_checks
    closed = data.opportunities.filter(pl.col("closed_at").is_not_null()).select(
        "id", pl.col("closed_at").alias("as_of")
    )
    scopes = {"open": open_at(data, now), "all": pl.concat([open_at(data, now), closed])}
    stuffed = list(demo.stuffed)
    print(
        f"{'scope':6} {'deals':>6} {'stuffed':>7} {'suspects':>8} {'found':>6} "
        f"{'precision':>9} {'recall':>6} {'seconds':>7}"
    )
    for scope, moments in scopes.items():
        started = time.perf_counter()
        result = check_pipeline(data, moments, checks, now=now)
        seconds = time.perf_counter() - started
        deals = result.deals.with_columns(truth=pl.col("id").is_in(stuffed))
        truth = int(deals.get_column("truth").sum())
        suspects = deals.filter(pl.col("suspect"))
        found = int(suspects.get_column("truth").sum())
        precision = found / suspects.height if suspects.height else float("nan")
        recall = found / truth if truth else float("nan")
        print(
            f"{scope:6} {deals.height:>6,} {truth:>7,} {suspects.height:>8,} {found:>6,} "
            f"{precision:>9.3f} {recall:>6.3f} {seconds:>7.2f}"
        )
        if scope == "open":
            fired = pl.DataFrame(
                {
                    "check": [f.check.value for f in result.flags],
                    "id": [f.opportunity for f in result.flags],
                }
            ).with_columns(stuffed=pl.col("id").is_in(stuffed))
            table = (
                fired.group_by("check")
                .agg(
                    pl.col("stuffed").sum().alias("on_stuffed"),
                    (~pl.col("stuffed")).sum().alias("on_honest"),
                )
                .sort("check")
            )
            for row in table.iter_rows(named=True):
                print(
                    f"    {row['check']:22} stuffed {row['on_stuffed']:>5,}  "
                    f"honest {row['on_honest']:>5,}  (of {truth:,} / {deals.height - truth:,})"
                )
    if args.backtest:
        started = time.perf_counter()
        report = backtest(data, now, args.backtest).as_dict()
        print(f"forecast backtest ({time.perf_counter() - started:.1f} s):")
        for q in report["quarters"]:
            print(
                f"    {q['period']}: forecast {q['forecast']:>13,.0f} "
                f"[{q['low']:,.0f}, {q['high']:,.0f}]  naive {q['naive']:>13,.0f}  "
                f"actual {q['actual']:>13,.0f}  {'covered' if q['covered'] else 'missed'}"
            )
        coverage = report["coverage"]
        print(
            f"    MAPE {report['mape']}  naive MAPE {report['naive_mape']}  over "
            f"{report['mape_quarters']} quarters; coverage {coverage['numerator']}/"
            f"{coverage['denominator']} at {coverage['level']:.0%}"
        )


if __name__ == "__main__":
    main()
