"""``revloop plan``: the reverse funnel from a revenue target, and its goals on request."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from revloop.core.commands import RevloopCommand
from revloop.goals.planning import BY_CHOICES, do_create_plan_goals, make_plan, read_request
from revloop.users.commands import acting_user

_LABELS = {
    "lead": "New leads",
    "mql": "MQLs",
    "sal": "SALs",
    "sql": "SQLs",
    "opportunity": "Opportunities",
    "customer": "Customers",
}


class Command(RevloopCommand):
    help = (
        "How many new leads, MQLs, SALs, SQLs, opportunities and customers a revenue target "
        "needs, and by when, from the company's own conversion rates, deal size and lags."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--revenue", required=True, help="the revenue to win, e.g. 250000")
        parser.add_argument(
            "--period", required=True, help="2027-Q1, 2027-03, 2027 or next-quarter"
        )
        parser.add_argument("--by", choices=BY_CHOICES, help="also plan per first-touch channel")
        parser.add_argument("--currency", default="", help="default: the company's currency")
        parser.add_argument(
            "--create-goals", action="store_true", help="set the plan's goals for both teams"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        request = read_request(
            options["revenue"],
            options["period"],
            by=options["by"],
            currency=options["currency"],
            today=timezone.localdate(),
        )
        if options["create_goals"]:
            user = acting_user("setting the plan's goals")
            made = do_create_plan_goals(request, by=user)
            found = {**made["plan"], "goals": made["goals"], "skipped": made["skipped"]}
        else:
            found = make_plan(request)
        self.emit(found, options, lambda: self._human(found))

    def _human(self, found: dict[str, Any]) -> None:
        out = self.stdout.write
        out(
            f"To win {found['currency']} {float(found['revenue']):,.2f} in {found['period']} "
            f"({found['period_start']} to {found['period_end']}):"
        )
        self._table(found)
        out("")
        out(
            f"Average deal: {found['currency']} {float(found['deal_size']):,.2f} "
            f"({found['deal_size_basis']})."
        )
        out("Rates and lags used (converted of reached; median days to convert over n):")
        for r in found["rates"]:
            rate = "—" if r["rate"] is None else f"{r['rate'] * 100:.1f}%"
            lag = "—" if r["lag_days"] is None else f"{r['lag_days']:.1f} days"
            out(
                f"  {r['from_stage']:>11} → {r['to_stage']:<11} {rate:>7} "
                f"({r['converted']:,} of {r['reached']:,})  lag {lag} (n={r['lag_n']:,})"
            )
        for note in found["notes"]:
            out(f"Note: {note}.")
        for warning in found["warnings"]:
            out(f"Warning: {warning}.")
        for channel in found["channels"]:
            out("")
            out(
                f"{channel['channel']}: {channel['share'] * 100:.1f}% of past customers, "
                f"{found['currency']} {float(channel['revenue']):,.2f}"
            )
            self._table(channel)
            for warning in channel["warnings"]:
                out(f"  Warning: {warning}.")
        if "goals" in found:
            out("")
            out(f"Goals set: {', '.join(str(g) for g in found['goals']) or 'none'}.")
            for skip in found["skipped"]:
                out(f"Skipped {skip['team']} {skip['metric']}: {skip['reason']}.")

    def _table(self, found: dict[str, Any]) -> None:
        for stage in found["stages"]:
            done = ""
            if stage.get("so_far"):
                done = f" ({stage['so_far']:,} so far, {stage['to_go']:,} to go)"
            self.stdout.write(
                f"  {_LABELS[stage['stage']]:<14} {stage['needed']:>9,}  "
                f"reached between {stage['from']} and {stage['by']}{done}"
            )
