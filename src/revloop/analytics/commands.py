"""What the report commands share: engine options, rich tables, number formats."""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Sequence
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table

from revloop.analytics.choices import ENGINES
from revloop.analytics.periods import conversion_period
from revloop.core.bounds import check_lookback
from revloop.core.errors import InvalidInputError
from revloop.engine.period import PERIOD_NAMES, Period


def add_engine_flags(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        help="where the analysis runs (default REVLOOP_ANALYTICS_ENGINE, else auto): the "
        "database itself, a DuckDB copy of it, or Spark (REVLOOP_SPARK_MASTER)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="recompute even if the cached report is current"
    )


def add_period_flags(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--period",
        choices=PERIOD_NAMES,
        help="count only the conversions (deals closed, for revenue) in this period, in "
        "the company's time zone (default: all time)",
    )
    parser.add_argument(
        "--from", dest="period_from", type=day, metavar="DAY", help="or: from this day"
    )
    parser.add_argument(
        "--to", dest="period_to", type=day, metavar="DAY", help="and/or: to this day, inclusive"
    )


def period_of(options: dict[str, Any]) -> Period | None:
    """The period ``add_period_flags`` asked for; bounds checked as on every edge."""
    return conversion_period(options["period"], options["period_from"], options["period_to"])


def lookback(text: str) -> float | None:
    """``--lookback-days``: a positive number of days, or ``none`` for no limit."""
    if text.lower() in ("none", "all"):
        return None
    try:
        return check_lookback(text)
    except InvalidInputError as exc:
        raise ArgumentTypeError(exc.message.removeprefix("lookback_days: ")) from None


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def number(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def print_table(
    stdout: Any, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]
) -> None:
    table = Table(title=title, title_justify="left")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*row)
    Console(file=stdout, width=160).print(table)


def cache_note(result: dict[str, Any]) -> str:
    meta = result.get("cache", {})
    origin = "from the cache" if meta.get("hit") else "computed now"
    return (
        f"{origin} ({meta.get('seconds', 0):.2f} s to compute, at {meta.get('computed_at')}; "
        f"engine {result.get('engine', '?')})"
    )
