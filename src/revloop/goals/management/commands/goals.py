"""``revloop goals list|set|show``: both teams' goals with their pacing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from revloop.core.commands import SubcommandCommand, add_json_flag
from revloop.engine.goals import BASELINES, METRICS
from revloop.goals.actions import do_set_goal
from revloop.goals.format import describe, figure
from revloop.goals.progress import board, get_goal, goal_progress
from revloop.users.commands import acting_user


class Command(SubcommandCommand):
    help = "Goals of Marketing, Sales and groups of reps: list them, set one, show one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="goals of periods not yet ended, with status")
        listing.add_argument("--all", action="store_true", help="ended periods too")
        listing.add_argument("--team", choices=("marketing", "sales", "group"))
        setting = sub.add_parser("set", help="set (or change) a team's goal")
        setting.add_argument("--team", required=True, help="marketing, sales or group")
        setting.add_argument("--group", default="", help="the users' team, with --team group")
        setting.add_argument("--metric", required=True, help=", ".join(METRICS))
        setting.add_argument(
            "--period", required=True, help="2027-Q1, 2027-03, 2027, next-quarter, A..B"
        )
        setting.add_argument(
            "--target", required=True, help="1200, 'USD 30000', 45%%, 60 (days) or +10%%"
        )
        setting.add_argument(
            "--vs",
            dest="baseline",
            choices=(*BASELINES, "last-year"),
            help="what a relative target (+10%%) compares with (default: previous)",
        )
        setting.add_argument("--currency", default="", help="for money (default: the company's)")
        setting.add_argument("--note", default="")
        show = sub.add_parser("show", help="one goal with its pacing")
        show.add_argument("goal", help="the goal's id")
        for subparser in sub.choices.values():
            add_json_flag(subparser)

    def _list(self, options: dict[str, Any]) -> None:
        goals = board(include_ended=options["all"], team=options["team"])

        def human() -> None:
            if not goals:
                self.stdout.write("No goals yet: revloop goals set --team … --metric … ")
            for g in goals:
                self.stdout.write(
                    f"{g['id']:>4}  {g['period']:<22} {g['owner']:<12} {g['metric_label']:<26} "
                    f"{figure(g, 'actual'):>14} · target {figure(g, 'target'):<14} "
                    f"forecast {figure(g, 'forecast'):>14}  {g['status'].replace('_', ' ')}"
                )

        self.emit({"goals": goals}, options, human)

    def _set(self, options: dict[str, Any]) -> None:
        user = acting_user("setting a goal")
        goal, created = do_set_goal(
            team=options["team"],
            group=options["group"],
            metric=options["metric"],
            period=options["period"],
            target=options["target"],
            baseline=options["baseline"],
            currency=options["currency"],
            note=options["note"],
            by=user,
        )
        found = {**goal_progress(goal), "created": created}

        def human() -> None:
            verb = "Set" if created else "Changed"
            self.stdout.write(f"{verb} goal {goal.pk}: {describe(found)}")

        self.emit(found, options, human)

    def _show(self, options: dict[str, Any]) -> None:
        found = goal_progress(get_goal(options["goal"]))

        def human() -> None:
            self.stdout.write(describe(found))
            low, high = found["interval"]
            self.stdout.write(
                f"  actual {figure(found, 'actual')}, expected by now "
                f"{figure(found, 'expected')} ({found['method']} pacing)"
            )
            if found["forecast"] is None:
                self.stdout.write("  forecast: no history to forecast from")
            else:
                self.stdout.write(
                    f"  forecast {figure(found, 'forecast')} "
                    f"(90%: {figure(found, value=low)} to {figure(found, value=high)})"
                )
            self.stdout.write(f"  status: {found['status'].replace('_', ' ')}")

        self.emit(found, options, human)
