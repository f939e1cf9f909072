"""What the home page adds to the company overview: the funnel this quarter against the
last, alerts that need someone, a rep's inbox in brief, and where each question is answered.

Every number carries the lead-list URL of the people behind it (``/leads/?…``), so a
reader can always go from the figure to the records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from revloop.analytics.cache import page_max_age
from revloop.analytics.overview import quarter_start
from revloop.analytics.rates import funnel_rates
from revloop.analytics.reports import Reports
from revloop.catalog.models import ContentFinding
from revloop.engine.vocabulary import LifecycleStage
from revloop.feedback.inbox import WORKING_STAGES
from revloop.people.models import Person
from revloop.routing.models import SlaClock
from revloop.users.models import User
from revloop.users.policy import allows

_LABELS = {stage.value: stage.label for stage in LifecycleStage}


def leads_url(**params: str) -> str:
    return reverse("leads") + ("?" + urlencode(params) if params else "")


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # exclusive

    def created(self) -> dict[str, str]:
        last_day = self.end - timedelta(days=1)
        return {"created_from": self.start.isoformat(), "created_to": last_day.isoformat()}


def periods(today: date) -> tuple[Period, Period]:
    this = quarter_start(today)
    last = quarter_start(this - timedelta(days=1))
    return Period("This quarter", this, today + timedelta(days=1)), Period(
        "Last quarter", last, this
    )


def funnel_compare(today: date) -> dict[str, Any]:
    """Each step's conversion and drop-off for people created this quarter and last."""
    this, last = periods(today)
    with Reports(max_age=page_max_age()) as reports:
        found = {
            p.label: funnel_rates(reports.funnel(cohort_from=p.start, cohort_to=p.end))
            for p in (this, last)
        }
    rows = []
    for step in found[this.label].get("steps", []):
        if step["from_stage"] == "lead" and step["to_stage"] == "customer":
            continue
        before = next(
            (
                s
                for s in found[last.label].get("steps", [])
                if (s["from_stage"], s["to_stage"]) == (step["from_stage"], step["to_stage"])
            ),
            None,
        )
        rows.append(
            {
                "label": f"{_label(step['from_stage'])} → {_label(step['to_stage'])}",
                "to_stage": step["to_stage"],
                "now": step,
                "before": before,
                "now_url": leads_url(**this.created(), reached=step["to_stage"]),
                "before_url": leads_url(**last.created(), reached=step["to_stage"]),
            }
        )
    return {
        "this": this,
        "last": last,
        "rows": rows,
        "this_url": leads_url(**this.created()),
        "last_url": leads_url(**last.created()),
    }


def _label(stage: str) -> str:
    return _LABELS.get(stage, stage.replace("_", " ").capitalize())


def alerts() -> list[dict[str, Any]]:
    """What needs someone now: breached SLA clocks, and copy that promises what is not sold."""
    breached = (
        SlaClock.objects.filter(stopped_at__isnull=True, breached_at__isnull=False)
        .values("person_id")
        .distinct()
        .count()
    )
    findings = ContentFinding.objects.count()
    assets = ContentFinding.objects.values("asset_id").distinct().count()
    return [
        {
            "key": "breaches",
            "count": breached,
            "text": f"lead{'' if breached == 1 else 's'} with a breached SLA, still open",
            "url": leads_url(sla="breached"),
        },
        {
            "key": "copy",
            "count": findings,
            "text": f"false promise{'' if findings == 1 else 's'} in the copy of {assets} content"
            f" asset{'' if assets == 1 else 's'}",
            "url": reverse("marketing") + "#misinformed",
        },
    ]


def inbox_summary(user: User) -> dict[str, Any] | None:
    """A rep's own open leads and breaches, with links; None for other roles."""
    if user.is_superuser or not allows(user, "lead.own"):
        return None
    working = [s.value for s in WORKING_STAGES]
    mine = Person.objects.filter(owner=user, stage__in=working)
    breached = (
        SlaClock.objects.filter(Q(rep=user), stopped_at__isnull=True, breached_at__isnull=False)
        .values("person_id")
        .distinct()
        .count()
    )
    return {
        "open": mine.count(),
        "mql": mine.filter(stage=LifecycleStage.MQL).count(),
        "breached": breached,
        "open_url": leads_url(owner=user.username, stage=",".join(working)),
        "mql_url": leads_url(owner=user.username, stage=LifecycleStage.MQL.value),
        "breached_url": leads_url(owner=user.username, sla="breached"),
    }


def answers() -> list[tuple[str, str]]:
    """Where each question a new user brings is answered, one link each."""
    return [
        ("Why did a lead go to its rep, and why did it score as it did?", reverse("leads")),
        (
            "Which content brought in revenue?",
            reverse("marketing") + "?outcome=revenue&level=content#attribution",
        ),
        (
            "Content behind last quarter's revenue",
            reverse("marketing") + "?period=last-quarter&outcome=revenue&level=content#period",
        ),
        ("Which content misinforms prospects?", reverse("marketing") + "#misinformed"),
        ("Is each team meeting its SLA?", reverse("home") + "#sla"),
        ("What did Marketing and Sales agree a good lead is?", reverse("contract")),
    ]
