"""``revloop pipeline check``: the honest-pipeline checks, with their evidence."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from revloop.core.commands import RevloopCommand, add_json_flag
from revloop.pipeline.actions import do_dismiss_flag
from revloop.pipeline.honesty import pipeline_report
from revloop.pipeline.text import describe
from revloop.pipeline.when import as_of
from revloop.users.commands import acting_user


class Command(RevloopCommand):
    help = "Honest pipeline: checks that catch stuffed and wishful deals, and each rep's health."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser(
            "check",
            help="flag open deals (thresholds from the contract's pipeline_checks)",
        )
        check.add_argument(
            "--all",
            action="store_true",
            dest="include_closed",
            help="also audit closed deals, each as it stood just before closing",
        )
        check.add_argument(
            "--as-of", type=as_of, help="judge the pipeline as it stood then (default now)"
        )
        add_json_flag(check)
        dismiss = sub.add_parser(
            "dismiss", help="mark one flag on one deal as not a concern (sales managers)"
        )
        dismiss.add_argument("opportunity", type=int, help="the opportunity's id")
        dismiss.add_argument("check", help="the check's name, as in `pipeline check`")
        dismiss.add_argument("--reason", required=True, help="why it is not a concern")
        add_json_flag(dismiss)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "dismiss":
            self._dismiss(options)
            return
        result = pipeline_report(now=options["as_of"], include_closed=options["include_closed"])
        self.emit(result, options, lambda: self._human(result))

    def _dismiss(self, options: dict[str, Any]) -> None:
        user = acting_user("dismissing a pipeline flag", required=True)
        assert user is not None
        dismissal = do_dismiss_flag(
            options["opportunity"], options["check"], by=user, reason=options["reason"]
        )
        result = {
            "opportunity": dismissal.opportunity_id,
            "check": dismissal.flag,
            "by": user.username,
            "at": dismissal.at.isoformat(),
            "reason": dismissal.reason,
        }
        self.emit(
            result,
            options,
            lambda: self.stdout.write(
                f"{result['check']} on opportunity {result['opportunity']} dismissed by "
                f"{result['by']}: {result['reason']}"
            ),
        )

    def _human(self, result: dict[str, Any]) -> None:
        # Django's OutputWrapper writes text as a file does; typeshed's IO is stricter.
        console = Console(file=cast("IO[str]", self.stdout), width=200)
        flags = Table(
            title=f"Pipeline flags ({result['scope']} deals, {result['deals']:,} judged)",
            title_justify="left",
        )
        for column in ("opportunity", "rep", "check", "evidence"):
            flags.add_column(column)
        for flag in result["flags"]:
            flags.add_row(
                str(flag["opportunity"]),
                flag["rep"] or "",
                flag["check"],
                describe(flag["check"], flag["evidence"])
                + (
                    f" [dismissed by {flag['dismissal']['by']}: {flag['dismissal']['reason']}]"
                    if flag["dismissal"]
                    else ""
                ),
            )
        console.print(flags)
        suspects = result["suspects"]
        thresholds = result["thresholds"]
        console.print(
            f"{len(suspects):,} suspects (flagged by {thresholds['suspect_checks']} checks or "
            f"more, not counting {', '.join(thresholds['suspect_ignores']) or 'none'}): "
            + (", ".join(map(str, suspects[:50])) + (" …" if len(suspects) > 50 else ""))
        )
        health = Table(
            title="Health: share of open pipeline value not in suspect deals", title_justify="left"
        )
        for column in ("rep", "open deals", "suspect", "health", "trend"):
            health.add_column(column, justify="left" if column == "rep" else "right")
        for row in result["health"]["reps"]:
            now = row["trend"][-1]
            trend = " → ".join(
                "-" if p["score"] is None else f"{p['score']:g}" for p in row["trend"]
            )
            health.add_row(
                row["rep"],
                f"{now['open_deals']:,}",
                f"{now['suspect_deals']:,}",
                "-" if now["score"] is None else f"{now['score']:g}",
                trend,
            )
        for row in result["health"]["teams"]:
            now = row["trend"][-1]
            trend = " → ".join(
                "-" if p["score"] is None else f"{p['score']:g}" for p in row["trend"]
            )
            health.add_row(
                f"team {row['team']}",
                f"{now['open_deals']:,}",
                f"{now['suspect_deals']:,}",
                "-" if now["score"] is None else f"{now['score']:g}",
                trend,
            )
        console.print(health)
