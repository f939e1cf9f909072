"""Content ranked by the misinformed outcomes it goes with, with the sentence to fix."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from revloop.analytics.commands import percent, print_table
from revloop.analytics.misinformed import misinformed_report
from revloop.core.commands import RevloopCommand
from revloop.engine.truth.misinformed import DEFAULT_THRESHOLD


def _share(value: float | None) -> float:
    return value if value is not None else -1.0


class Command(RevloopCommand):
    help = (
        "Content ranked by misinformed outcomes: the excess rate of leads judged misinformed "
        "(about a claim the asset makes) among people who saw it over those who did not, "
        "with support and a 95% interval; the false sentence and the truth."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help="name an asset when its interval's lower end is above this (default 0.02)",
        )
        parser.add_argument("--top", type=int, default=15, help="rows in the table (15)")

    def handle(self, *args: Any, **options: Any) -> None:
        result = misinformed_report(threshold=options["threshold"])

        def human() -> None:
            rows = []
            for asset in result["assets"][: options["top"]]:
                excess = asset["excess"]
                rows.append(
                    [
                        ("! " if asset["flagged"] else "  ") + asset["title"][:40],
                        "-" if excess is None else f"{excess * 100:+.1f} pts",
                        "-"
                        if asset["low"] is None
                        else f"{asset['low'] * 100:+.1f} to {asset['high'] * 100:+.1f}",
                        f"{percent(asset['rate_seen'])} of {asset['seen']:,}",
                        f"{percent(asset['rate_unseen'])} of {asset['unseen']:,}",
                        ", ".join(asset["claims"]) or "-",
                    ]
                )
            print_table(
                self.stdout,
                "Content that misinformed (observational: saw it vs did not, before the verdict)",
                ["asset", "excess", "95% interval", "saw it", "did not", "false claims"],
                rows,
            )
            for asset in result["assets"]:
                if not asset["flagged"]:
                    continue
                self.stdout.write(f"\n{asset['title']}")
                said = ""
                for finding in asset["findings"]:
                    if finding["sentence"] != said:
                        said = finding["sentence"]
                        self.stdout.write(f'  says:  "{said}"')
                    self.stdout.write(f"  truth: {finding['truth']}")
                    if finding["rewrite"] and finding["rewrite"] != finding["truth"]:
                        self.stdout.write(f"  fix:   {finding['rewrite']}")
            self.stdout.write(
                f"\n{result['misinformed']:,} of {result['judged']:,} judged leads misinformed, "
                f"{result['with_belief']:,} with a known belief; ! marks an interval above "
                f"{result['threshold']:+.0%}."
            )

        self.emit(result, options, human)
