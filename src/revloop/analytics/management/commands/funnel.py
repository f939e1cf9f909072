"""Funnel conversion, drop-off and velocity, overall or per slice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from revloop.analytics.commands import (
    add_engine_flags,
    cache_note,
    day,
    number,
    percent,
    print_table,
)
from revloop.analytics.rates import funnel_rates
from revloop.analytics.reports import Reports
from revloop.core.commands import RevloopCommand
from revloop.engine.analytics import DIMENSIONS


def opportunity_note(result: dict[str, Any]) -> str:
    """What the funnel of opportunities (no people) shows, and the stages present."""
    dims = result["dimensions"]
    stages = ", ".join(
        (" / ".join(str(s[d]) for d in dims) + " " if dims else "")
        + f"{s['stage']} {number(s['opportunities'])}"
        for s in result["stages"]
    )
    return (
        "No people yet: this is the funnel of the opportunities' own stages. Conversion = "
        "won / (won + lost); open deals are not lost. Days: created to close (median cycle "
        f"of won deals under days to convert). Opportunities by stage: {stages or 'none'}."
    )


class Command(RevloopCommand):
    help = (
        "Conversion between consecutive stages and overall (counts, rates, drop-off) and "
        "time in stage, per cohort-correct slice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--by", action="append", default=[], choices=DIMENSIONS, help="slice (up to two)"
        )
        parser.add_argument(
            "--from", dest="cohort_from", type=day, help="people created on or after"
        )
        parser.add_argument("--to", dest="cohort_to", type=day, help="people created before")
        add_engine_flags(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with Reports(engine=options["engine"], fresh=options["fresh"]) as reports:
            result = funnel_rates(
                reports.funnel(
                    by=options["by"],
                    cohort_from=options["cohort_from"],
                    cohort_to=options["cohort_to"],
                )
            )

        def human() -> None:
            dims = result["dimensions"]
            rows = [
                [
                    " / ".join(str(step[d]) for d in dims)
                    + (" · " if dims else "")
                    + f"{step['from_stage']} → {step['to_stage']}",
                    number(step["entered"]),
                    number(step["converted"]),
                    number(step["lost"]),
                    number(step["still_open"]),
                    percent(step["conversion_rate"]),
                    percent(step["drop_off_rate"]),
                    number(step["days_in_stage_p25"], 1),
                    number(step["days_in_stage_p50"], 1),
                    number(step["days_in_stage_p75"], 1),
                    number(step["days_in_stage_p90"], 1),
                ]
                for step in result["steps"]
            ]
            print_table(
                self.stdout,
                "Funnel" + (f" by {', '.join(dims)}" if dims else ""),
                [
                    "step",
                    "entered",
                    "converted",
                    "lost",
                    "open",
                    "conversion",
                    "drop-off",
                    "days p25",
                    "median",
                    "p75",
                    "p90",
                ],
                rows,
            )
            if result.get("basis") == "opportunities":
                self.stdout.write(opportunity_note(result))
            else:
                self.stdout.write(
                    "Conversion and drop-off count people whose outcome is known; people "
                    "still in a stage are open (right-censored), not lost. Days: time in the "
                    "first stage of the step, of people who left it."
                )
            self.stdout.write(cache_note(result))

        self.emit(result, options, human)
