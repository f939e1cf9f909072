"""``revloop lift``: a campaign's lift over its control group, from a file or the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from revloop.analytics.commands import print_table
from revloop.analytics.lift import campaign_lift
from revloop.analytics.paths import jsonable
from revloop.core.commands import RevloopCommand
from revloop.engine.analytics.lift_file import lift_from_csv


class Command(RevloopCommand):
    help = (
        "Each group's rate (or mean) per outcome, and each treatment group's absolute and "
        "relative lift over the control with a 95% interval and a p-value. From a file "
        "(--csv, one row per person) or from a campaign's members (--campaign)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--csv", type=Path, metavar="FILE", help="one row per person")
        source.add_argument("--campaign", metavar="NAME_OR_ID", help="a campaign in revloop")
        parser.add_argument("--group-column", help="the file's column naming each row's group")
        parser.add_argument("--control", help="the control group's value in that column")
        parser.add_argument(
            "--outcome",
            action="append",
            default=[],
            metavar="COL",
            help="an outcome column: 0/1, yes/no, true/false, or a number (repeat for more)",
        )
        parser.add_argument("--delimiter", help="the file's delimiter (sniffed when not given)")
        parser.add_argument("--encoding", default="utf-8", help="the file's encoding")

    def handle(self, *args: Any, **options: Any) -> None:
        result = self._result(options)
        self.emit(result, options, lambda: self._print(result))

    def _result(self, options: dict[str, Any]) -> dict[str, Any]:
        if options["campaign"] is not None:
            if options["group_column"] or options["outcome"]:
                raise CommandError("--group-column and --outcome go with --csv")
            return jsonable(campaign_lift(options["campaign"]))
        missing = [
            flag
            for flag, key in (("--group-column", "group_column"), ("--control", "control"))
            if not options[key]
        ]
        if not options["outcome"]:
            missing.append("--outcome")
        if missing:
            raise CommandError(f"--csv needs {', '.join(missing)}")
        path: Path = options["csv"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        report = lift_from_csv(
            path,
            group_column=options["group_column"],
            control=options["control"],
            outcomes=options["outcome"],
            delimiter=options["delimiter"],
            encoding=options["encoding"],
        )
        return jsonable({"source": str(path), **report.as_dict()})

    def _print(self, result: dict[str, Any]) -> None:
        if result.get("campaign"):
            campaign = result["campaign"]
            self.stdout.write(f"Campaign {campaign['name']} (id {campaign['id']})")
        self.stdout.write(_design_line(result))
        for outcome in result["outcomes"]:
            lifts = {lift["group"]: lift for lift in outcome["lifts"]}
            rows = []
            for group in outcome["groups"]:
                lift = lifts.get(group["group"])
                rows.append(
                    [
                        group["group"],
                        f"{group['n']:,}",
                        _figure(outcome["kind"], group),
                        "control" if lift is None else _absolute(outcome["kind"], lift),
                        "" if lift is None else _relative(lift),
                        "" if lift is None else _p(lift["p_value"]),
                    ]
                )
            print_table(
                self.stdout,
                f"{outcome['outcome']} ({'rate' if outcome['kind'] == 'rate' else 'mean'})",
                [
                    "group",
                    "n",
                    outcome["kind"],
                    "absolute lift [95% CI]",
                    "relative lift [95% CI]",
                    "p",
                ],
                rows,
            )
            warnings = (w for lift in outcome["lifts"] for w in lift["warnings"])
            for warning in dict.fromkeys(warnings):
                self.stdout.write(f"  note: {warning}")
        for note in result.get("notes", []):
            self.stdout.write(f"note: {note}")
        if result.get("observational"):
            print_table(
                self.stdout,
                "Members against matched non-members (observational, matched on "
                + ", ".join(result["matched_on"])
                + ")",
                ["outcome", "members", "matched others", "difference [95% CI]",
                 "relative [95% CI]", "p", "matched / unmatched"],
                [_matched_row(matched) for matched in result["observational"]],
            )  # fmt: skip


def _design_line(result: dict[str, Any]) -> str:
    if result["design"] == "randomised":
        return f"Randomised: each group against the control group {result['control']!r}."
    return (
        "OBSERVATIONAL: there is no control group, so this compares people who were "
        "touched with similar people who were not. It is not the campaign's effect."
    )


def _figure(kind: str, group: dict[str, Any]) -> str:
    if kind == "rate":
        if group["rate"] is None:
            return "-"
        return f"{group['rate']:.2%} ({group['numerator']:,}/{group['denominator']:,})"
    return "-" if group["mean"] is None else f"{group['mean']:,.2f}"


def _absolute(kind: str, lift: dict[str, Any]) -> str:
    def show(value: float) -> str:
        return f"{value * 100:+.2f} pts" if kind == "rate" else f"{value:+,.2f}"

    text = show(lift["absolute"])
    if lift["absolute_low"] is not None and lift["absolute_high"] is not None:
        text += f" [{show(lift['absolute_low'])}, {show(lift['absolute_high'])}]"
    return text


def _relative(lift: dict[str, Any]) -> str:
    if lift["relative"] is None:
        return f"- ({lift['relative_reason']})"
    text = f"{lift['relative']:+.1%}"
    if lift["relative_low"] is not None:
        text += f" [{lift['relative_low']:+.1%}, {lift['relative_high']:+.1%}]"
    return text


def _p(value: float | None) -> str:
    if value is None:
        return "-"
    return "<0.0001" if value < 1e-4 else f"{value:.4f}"


def _matched_row(matched: dict[str, Any]) -> list[str]:
    kind = matched["kind"]

    def show(value: float | None) -> str:
        if value is None:
            return "-"
        return f"{value:.2%}" if kind == "rate" else f"{value:,.2f}"

    if matched["absolute"] is None:
        difference = f"- ({matched['relative_reason']})"
    else:
        difference = _absolute(kind, matched)
    return [
        matched["outcome"],
        show(matched["touched"]),
        show(matched["untouched"]),
        difference,
        "" if matched["absolute"] is None else _relative(matched),
        _p(matched["p_value"]),
        f"{matched['matched']:,} / {matched['unmatched']:,}",
    ]
