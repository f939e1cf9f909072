"""The demo's answer key as tables for a terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _content_table(title: str, rows: list[dict[str, Any]], detail: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("id", "title", "kind", detail):
        table.add_column(column, justify="right" if column == "id" else "left")
    for row in rows:
        table.add_row(str(row["id"]), row["title"], row["kind"], str(row[detail]))
    return table


def print_answers(answers: dict[str, Any], console: Console) -> None:
    seeding = answers["seeding"]
    console.print(
        f"Answer key of the demo seeded with seed {seeding['seed']}, {seeding['leads']:,} "
        f"leads, {seeding['months']} months to {seeding['generated_for'][:16]}"
    )
    effects = answers["channel_effects"]
    channels = Table(title="Channels: effect on conversion")
    channels.add_column("channel")
    channels.add_column("effect", justify="right")
    channels.add_column("planted as")
    for channel, effect in effects.items():
        verdict = (
            "best"
            if channel in answers["best_channels"]
            else "worst"
            if channel in answers["worst_channels"]
            else ""
        )
        channels.add_row(channel, f"{effect:+.1f}", verdict)
    console.print(channels)
    console.print(_content_table("Best content", answers["best_content"], "effect"))
    console.print(_content_table("Worst content", answers["worst_content"], "why"))
    misinforming = Table(title="Misinforming content")
    for column in ("id", "title", "false claim", "in its words"):
        misinforming.add_column(column)
    for row in answers["misinforming_content"]:
        for claim in row["false_claims"]:
            misinforming.add_row(str(row["id"]), row["title"], claim["claim"], claim["quote"])
    console.print(misinforming)
    reps = Table(title="Reps")
    for column in ("id", "username", "team", "planted as"):
        reps.add_column(column)
    for row in answers["slow_responders"]:
        reps.add_row(str(row["id"]), row["username"], row["team"], "slow responder")
    for row in answers["pipeline_stuffers"]:
        rate = f"pipeline stuffer ({row['stuffing_rate']:.0%} of stalled SQLs)"
        reps.add_row(str(row["id"]), row["username"], row["team"], rate)
    console.print(reps)
    stuffed = answers["stuffed_opportunities"]
    shown = ", ".join(map(str, stuffed[:40])) + (" …" if len(stuffed) > 40 else "")
    console.print(f"Stuffed opportunities ({len(stuffed):,}, ids): {shown or 'none'}")
    if answers["stuffed_opportunities_missing"]:
        console.print(
            f"{len(answers['stuffed_opportunities_missing']):,} stuffed opportunities "
            "are no longer in the database."
        )
