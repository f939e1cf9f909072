"""``revloop sla deadline|status|sweep``: business-hours deadlines and both teams' record."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from revloop.core.commands import RevloopCommand, add_json_flag
from revloop.engine.sla.speed import Rate
from revloop.routing.deadlines import business_deadline
from revloop.routing.queries import sla_compliance
from revloop.routing.sweep import sweep_sla_clocks
from revloop.routing.weeks import week_start


class Command(RevloopCommand):
    help = "SLA deadlines in business hours, this week's compliance, and the clock sweep."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        deadline = sub.add_parser("deadline", help="when H business hours after START end")
        deadline.add_argument("--start", required=True, help="ISO time with a zone offset")
        deadline.add_argument("--hours", required=True, type=float)
        deadline.add_argument("--tz", required=True, help="IANA zone, e.g. Europe/Berlin")
        deadline.add_argument("--calendar", default=None, help="a named calendar of the contract")
        add_json_flag(deadline)
        status = sub.add_parser("status", help="Sales' and Marketing's SLA this week")
        add_json_flag(status)
        sweep = sub.add_parser("sweep", help="send due reminders and record breaches now")
        add_json_flag(sweep)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _deadline(self, options: dict[str, Any]) -> None:
        result = business_deadline(
            options["start"], options["hours"], options["tz"], options["calendar"]
        )
        self.emit(
            result,
            options,
            lambda: self.stdout.write(
                f"{result['deadline']}  ({result['hours']:g} business hours after"
                f" {result['start']}, {result['time_zone']}, calendar {result['calendar']})"
            ),
        )

    def _status(self, options: dict[str, Any]) -> None:
        report = sla_compliance(week_start(timezone.now()))
        sales, marketing = report.sales, report.marketing
        result = {
            "week_start": report.week_start,
            "week_end": report.week_end,
            "sales": asdict(sales),
            "marketing": {
                **asdict(marketing),
                "volume_met": marketing.volume_met,
                "acceptance_met": marketing.acceptance_met,
            },
        }

        def human() -> None:
            rate = "—" if sales.rate is None else f"{sales.rate:.0%}"
            median = (
                "—" if sales.median_first_touch_hours is None else sales.median_first_touch_hours
            )
            accepted = (
                "—" if marketing.acceptance_rate is None else f"{marketing.acceptance_rate:.0%}"
            )
            speed = sales.speed_to_lead
            self.stdout.write(f"Week of {report.week_start}")
            self.stdout.write(
                f"  Sales:     {rate} of deadlines kept ({sales.met} of"
                f" {sales.met + sales.breached} decided; {sales.breached} breached,"
                f" {sales.open} running)"
            )
            self.stdout.write(
                f"  First touch: {_share(speed.in_time)} by the deadline;"
                f" speed to lead {median} business hours (median, to the first call,"
                f" e-mail or meeting; promise: {sales.first_touch_target_hours:g});"
                f" {speed.reached} of {speed.leads} leads reached"
            )
            for rep in sales.by_rep:
                figures = rep.speed_to_lead
                hours = "—" if figures.median_hours is None else f"{figures.median_hours:g} h"
                self.stdout.write(
                    f"    {rep.name:<12} {rep.team:<16} {_share(figures.in_time):>14}"
                    f" in time, median {hours}, {figures.reached} of {figures.leads} reached"
                )
            self.stdout.write(
                f"  Marketing: {marketing.mqls} MQLs (promise: {marketing.mql_target});"
                f" {accepted} accepted (promise: {marketing.min_acceptance_rate:.0%})"
            )

        self.emit(result, options, human)

    def _sweep(self, options: dict[str, Any]) -> None:
        result = sweep_sla_clocks(timezone.now())
        self.emit(
            result,
            options,
            lambda: self.stdout.write(
                f"{result['reminded']} reminders sent, {result['breached']} breaches recorded,"
                f" {result['reassigned']} leads re-assigned,"
                f" {result['touched_by_synced_attempts']} first touches from synced activity."
            ),
        )


def _share(rate: Rate) -> str:
    if rate.value is None:
        return "—"
    return f"{rate.value:.0%} ({rate.numerator} of {rate.denominator})"
