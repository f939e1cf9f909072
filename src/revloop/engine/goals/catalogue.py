"""The fixed catalogue of goal metrics: what each counts, its unit, which way is better,
and which teams it belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

#: ``count`` and ``money`` add up over the period; ``rate`` is successes over trials;
#: ``mean`` is an average of one value per event (days, for the sales cycle).
MetricKind = Literal["count", "money", "rate", "mean"]


class Team(StrEnum):
    MARKETING = "marketing"
    SALES = "sales"
    #: A named group of reps (the users' ``team``).
    GROUP = "group"


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    label: str
    kind: MetricKind
    unit: str
    higher_is_better: bool
    teams: frozenset[Team]
    #: What one event is, for the forecast's explanation.
    counts: str

    @property
    def cumulative(self) -> bool:
        return self.kind in ("count", "money")


_M, _S, _G = Team.MARKETING, Team.SALES, Team.GROUP
_SALES_SIDE = frozenset({_S, _G})

METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("new_leads", "New leads", "count", "leads", True, frozenset({_M}), "people created"),
        Metric("mqls", "MQLs", "count", "MQLs", True, frozenset({_M}), "people who became MQL"),
        Metric(
            "sal_acceptance_rate",
            "SAL acceptance rate",
            "rate",
            "%",
            True,
            frozenset({_M}),
            "MQLs Sales accepted, of those accepted or rejected",
        ),
        Metric(
            "marketing_sla_compliance",
            "Marketing SLA compliance",
            "rate",
            "%",
            True,
            frozenset({_M}),
            "weeks with the contract's MQL volume and acceptance met, of weeks ended",
        ),
        Metric(
            "sales_sla_compliance",
            "Sales SLA compliance",
            "rate",
            "%",
            True,
            _SALES_SIDE,
            "SLA deadlines kept, of deadlines kept or missed",
        ),
        Metric(
            "pipeline_created",
            "Pipeline created",
            "money",
            "money",
            True,
            frozenset({_M, _S, _G}),
            "opportunities created (amount)",
        ),
        Metric(
            "revenue_won",
            "Revenue won",
            "money",
            "money",
            True,
            _SALES_SIDE,
            "opportunities won (amount)",
        ),
        Metric(
            "win_rate",
            "Win rate",
            "rate",
            "%",
            True,
            _SALES_SIDE,
            "opportunities won, of those won or lost",
        ),
        Metric(
            "sales_cycle",
            "Sales cycle",
            "mean",
            "days",
            False,
            _SALES_SIDE,
            "days from an opportunity's creation to its win (mean)",
        ),
    )
}


def metric_named(name: str) -> Metric | None:
    """The catalogue's metric, by name or label in any case and spacing."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {
        "leads": "new_leads",
        "mql": "mqls",
        "revenue": "revenue_won",
        "pipeline": "pipeline_created",
    }
    key = aliases.get(key, key)
    if key in METRICS:
        return METRICS[key]
    for metric in METRICS.values():
        if metric.label.lower().replace(" ", "_") == key:
            return metric
    return None
