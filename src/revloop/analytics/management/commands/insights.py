"""Field insights: the questions and objections reps hear, grouped into topics."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from revloop.analytics.commands import percent, print_table
from revloop.analytics.insights import insights_report
from revloop.core.commands import RevloopCommand


def _pipeline(amounts: dict[str, str]) -> str:
    return ", ".join(f"{float(v):,.0f} {c}" for c, v in amounts.items()) or "-"


class Command(RevloopCommand):
    help = (
        "Topics of the questions and objections reps heard and noted: how often, the trend "
        "(this period vs the one before), the deals it came up on (open pipeline, won of "
        "closed) and the content that answers it, or a content gap."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--period-days", type=int, default=30, help="trend period (30)")
        parser.add_argument("--top", type=int, default=20, help="topics in the table (20)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["period_days"] < 1:
            raise CommandError("--period-days must be 1 or more")
        result = insights_report(period_days=options["period_days"])

        def human() -> None:
            rows = [
                [
                    topic["label"][:32],
                    topic["representative"][:52],
                    f"{topic['count']:,}",
                    f"{topic['this_period']} vs {topic['last_period']} ({topic['trend']})",
                    _pipeline(topic["pipeline"]),
                    (
                        f"{percent(topic['win_rate'])} ({topic['win_rate_numerator']} of "
                        f"{topic['win_rate_denominator']})"
                    ),
                    "CONTENT GAP" if topic["content_gap"] else topic["answered_by_title"][:34],
                ]
                for topic in result["topics"][: options["top"]]
            ]
            print_table(
                self.stdout,
                f"Field insights: {result['items']:,} questions, objections and notes",
                ["topic", "for example", "times", "trend", "open pipeline", "won", "answered by"],
                rows,
            )
            self.stdout.write(
                f"{result['content_gaps']} topic(s) without content that answers them; "
                f"trend: the last {result['period_days']} days against the {result['period_days']} "
                "before."
            )

        self.emit(result, options, human)
