"""Counts of the company's records, as a table or one JSON object."""

from __future__ import annotations

from typing import Any

from revloop.analytics.overview import company_stats
from revloop.core.commands import RevloopCommand


class Command(RevloopCommand):
    help = "Count accounts, people, touches, campaigns, content, opportunities and stages."

    def handle(self, *args: Any, **options: Any) -> None:
        stats = company_stats()

        def human() -> None:
            for key, value in stats.model_dump(exclude={"people_per_stage"}).items():
                self.stdout.write(f"{key.replace('_', ' '):<16} {value:>12,}")
            self.stdout.write("people per stage")
            for stage, n in stats.people_per_stage.items():
                self.stdout.write(f"  {stage:<14} {n:>12,}")

        self.emit(stats.model_dump(), options, human)
