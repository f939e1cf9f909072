"""What ``revloop opportunities report`` and ``revloop leads report`` share: the
options, the alias proposals as a file to save, and the human tables."""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from revloop.core.commands import RevloopCommand, add_json_flag
from revloop.pipeline.reports import alias_file


def add_report_arguments(parser: ArgumentParser, example: str) -> None:
    parser.add_argument(
        "--by",
        action="append",
        required=True,
        metavar="COLUMN",
        help=f"group by this column (up to three), a field or any imported column, e.g. {example}",
    )
    parser.add_argument(
        "--aliases",
        type=Path,
        metavar="FILE",
        help="alias map (YAML or JSON: column → {variant: canonical}); "
        f"default {alias_file()} when it exists",
    )
    parser.add_argument(
        "--suggest-aliases",
        action="store_true",
        help="print the near-duplicate labels as an alias map to review and save, not the report",
    )
    add_json_flag(parser)


def suggested(result: dict[str, Any]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for proposal in result["merge_proposals"]:
        entries = found.setdefault(proposal["column"], {})
        for variant in proposal["variants"]:
            entries[variant] = proposal["canonical"]
    return found


def _suggestion_text(result: dict[str, Any]) -> str:
    if not result["merge_proposals"]:
        return "# No near-duplicate labels found.\n"
    lines = [
        "# Near-duplicate labels: variant: canonical. Delete any line that is not the same",
        f"# label, then save as {alias_file()} (or pass the file with --aliases).",
    ]
    for proposal in result["merge_proposals"]:
        counts = ", ".join(f"{label!r} {n}" for label, n in proposal["counts"].items())
        lines.append(f"# {proposal['column']}: {', '.join(proposal['reasons'])} ({counts})")
    dumped = yaml.safe_dump(suggested(result), allow_unicode=True, sort_keys=False)
    return "\n".join(lines) + "\n" + dumped


def print_rows(
    stdout: Any,
    title: str,
    columns: Sequence[tuple[str, Callable[[dict[str, Any]], str]]],
    rows: Sequence[dict[str, Any]],
) -> None:
    table = Table(title=title, title_justify="left")
    for index, (name, _) in enumerate(columns):
        table.add_column(name, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*(show(row) for _, show in columns))
    Console(file=stdout, width=160).print(table)


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def run_report(
    command: RevloopCommand,
    options: dict[str, Any],
    compute: Callable[..., dict[str, Any]],
    human: Callable[[dict[str, Any]], None],
) -> None:
    result = compute(options["by"], aliases_path=options["aliases"])
    if options["suggest_aliases"]:
        proposals = {
            "merge_proposals": result["merge_proposals"],
            "aliases": suggested(result),
        }
        command.emit(proposals, options, lambda: command.stdout.write(_suggestion_text(result)))
        return
    command.emit(result, options, lambda: human(result))


def notes(result: dict[str, Any]) -> list[str]:
    lines = []
    if result["aliases_applied"]:
        merged = sum(len(v) for v in result["aliases_applied"].values())
        lines.append(f"{merged} label(s) merged by the alias map {result['aliases_file']}.")
    if result["merge_proposals"]:
        lines.append(
            f"{len(result['merge_proposals'])} group(s) of near-duplicate labels "
            "(not merged): see them with --suggest-aliases."
        )
    return lines
