"""Closed-loop analytics speed, end to end from the demo company's SQLite database.

    .venv/bin/python benchmarks/bench_analytics.py --leads 1000000 [--cache DIR] [--seed 7]

The database is built once with ``revloop demo --no-serve`` into ``--cache``
(``<cache>/demo-<leads>-<seed>/revloop.sqlite3``; 1M leads take about six minutes)
and reused by later runs. Every row starts from a fresh connection to that file:

- ``sqlite``: the ibis queries run by SQLite itself;
- ``duckdb copy``: the columns the analysis reads are copied once into an in-process
  DuckDB (``materialize``), where the same queries run; the row's time includes the
  copy, and ``copy s`` shows how much of it that was;
- ``shared copy``: one copy of everything, then all analyses on it (what a dashboard
  refresh pays).

Prints one table: analysis, path, journeys, touches, seconds, the copy's share, and
the peak resident memory of the process. Budgets: Markov order 1 over 1M journeys /
10M touches under 30 s, all rule-based models together under 15 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from revloop.engine.analytics import (
    RULE_BASED,
    JourneyQuery,
    Source,
    Tables,
    attribution_columns,
    connect,
    content_effectiveness,
    funnel,
    funnel_columns,
    load_tables,
    markov,
    materialize,
    rule_based,
    shapley_pushdown,
)

BIN = Path(sys.executable).parent
QUERY = JourneyQuery(outcome="mql", level="channel", lookback_days=90.0)


@dataclass
class Row:
    analysis: str
    path: str
    seconds: float
    copy_seconds: float | None = None


def build_database(cache: Path, leads: int, seed: int) -> Path:
    home = cache / f"demo-{leads}-{seed}"
    database = home / "revloop.sqlite3"
    # Written last, so an interrupted build is not mistaken for a finished one.
    finished = home / "built"
    if finished.exists():
        return database
    database.unlink(missing_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "REVLOOP_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    print(f"building {database} ({leads:,} leads) once …", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "revloop"), "demo", "--no-serve", "--leads", str(leads), "--seed", str(seed)],
        env=env,
        check=True,
        capture_output=True,
    )
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    finished.touch()
    return database


def sizes(database: Path) -> tuple[int, int]:
    connection = sqlite3.connect(database)
    try:
        people = connection.execute("SELECT count(*) FROM people_person").fetchone()[0]
        touches = connection.execute(
            "SELECT count(*) FROM activity_touch WHERE person_id IS NOT NULL"
        ).fetchone()[0]
    finally:
        connection.close()
    return int(people), int(touches)


def stored_tables() -> dict[str, Source]:
    """Where the Django apps keep each table: read off their models."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revloop.settings")
    django.setup()
    from revloop.analytics.tables import stored_tables as from_models

    return from_models()


def fresh(database: Path) -> Tables:
    return load_tables(connect(f"sqlite:///{database}"), stored_tables())


def timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def on_sqlite(database: Path, name: str, run: Callable[[Tables], Any]) -> Row:
    started = time.perf_counter()
    run(fresh(database))
    return Row(name, "sqlite", time.perf_counter() - started)


def on_copy(
    database: Path, name: str, columns: dict[str, tuple[str, ...]], run: Callable[[Tables], Any]
) -> Row:
    started = time.perf_counter()
    copy = materialize(fresh(database), columns=columns)
    copied = time.perf_counter() - started
    run(copy)
    return Row(name, "duckdb copy", time.perf_counter() - started, copied)


ANALYSES: list[tuple[str, dict[str, tuple[str, ...]], Callable[[Tables], Any]]] = [
    ("markov order 1", attribution_columns(QUERY), lambda t: markov(t, QUERY)),
    (
        f"all {len(RULE_BASED)} rule-based",
        attribution_columns(QUERY),
        lambda t: rule_based(t, QUERY),
    ),
    ("shapley", attribution_columns(QUERY), lambda t: shapley_pushdown(t, QUERY)),
    ("funnel", funnel_columns(), funnel),
    (
        "funnel by source, cohort",
        funnel_columns(("source", "cohort")),
        lambda t: funnel(t, by=("source", "cohort")),
    ),
]


def shared_copy(database: Path) -> list[Row]:
    started = time.perf_counter()
    copy = materialize(fresh(database))
    rows = [Row("copy of every table", "shared copy", time.perf_counter() - started)]
    for name, _, run in ANALYSES:
        rows.append(Row(name, "shared copy", timed(lambda run=run: run(copy))))
    rows.append(
        Row("content effectiveness", "shared copy", timed(lambda: content_effectiveness(copy)))
    )
    return rows


def print_table(rows: list[Row], people: int, touches: int) -> None:
    header = f"{'analysis':<26} {'path':<12} {'journeys':>10} {'touches':>11} {'seconds':>8} {'copy s':>7}"
    print(header)
    print("-" * len(header))
    for row in rows:
        copy = f"{row.copy_seconds:7.1f}" if row.copy_seconds is not None else f"{'':>7}"
        print(
            f"{row.analysis:<26} {row.path:<12} {people:>10,} {touches:>11,} "
            f"{row.seconds:>8.1f} {copy}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(os.environ.get("REVLOOP_BENCH_CACHE", ".revloop/bench")),
        help="folder that keeps the generated databases between runs",
    )
    parser.add_argument(
        "--no-sqlite", action="store_true", help="skip the rows that run on SQLite itself"
    )
    args = parser.parse_args()

    database = build_database(args.cache, args.leads, args.seed)
    people, touches = sizes(database)
    print(f"{database}: {people:,} people, {touches:,} identified touches", flush=True)
    rows: list[Row] = []
    for name, columns, run in ANALYSES:
        rows.append(on_copy(database, name, columns, run))
        print(f"  {name}: duckdb copy {rows[-1].seconds:.1f} s", flush=True)
        if not args.no_sqlite:
            rows.append(on_sqlite(database, name, run))
            print(f"  {name}: sqlite {rows[-1].seconds:.1f} s", flush=True)
    rows += shared_copy(database)
    print()
    print_table(rows, people, touches)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"query: {QUERY}; peak resident memory of this process: {peak:.2f} GiB")


if __name__ == "__main__":
    main()
