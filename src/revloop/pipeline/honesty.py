"""The honest-pipeline report and the forecast, from the stored pipeline and the active
contract: what the command, the API and the page all show."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.contrib.auth import get_user_model
from django.utils import timezone

from revloop.contracts.versions import active_contract
from revloop.core.errors import InvalidInputError
from revloop.engine.contract import Contract
from revloop.engine.contract.parse_pipeline import pipeline_checks_to_dict
from revloop.engine.pipeline import PipelineData, check_pipeline, open_at
from revloop.engine.pipeline.backtest import backtest
from revloop.engine.pipeline.forecast import Period, forecast
from revloop.engine.pipeline.health import health
from revloop.pipeline.loading import load_pipeline
from revloop.pipeline.models import FlagDismissal

#: Past quarters shown in the health trend.
TREND_QUARTERS = 4


def _people(contract: Contract) -> tuple[dict[int, str], dict[str, set[int]]]:
    """Usernames by user id (every owner), and the contract's teams as user ids."""
    users = dict(get_user_model().objects.order_by().values_list("id", "username"))
    ids = {name: pk for pk, name in users.items()}
    teams = {
        team.name: {ids[m.user] for m in team.members if m.user in ids}
        for team in contract.routing.teams
    }
    return users, teams


def _load() -> tuple[Contract, PipelineData, list[str]]:
    _, contract = active_contract()
    data, currencies = load_pipeline(contract.pipeline_checks)
    return contract, data, currencies


def pipeline_report(
    *, now: dt.datetime | None = None, include_closed: bool = False, trend: bool = True
) -> dict[str, Any]:
    """Flags with evidence on the open pipeline (and, with ``include_closed``, on every
    closed deal as it stood just before closing), suspects, and health per rep and team."""
    now = now or timezone.now()
    contract, data, currencies = _load()
    checks = contract.pipeline_checks
    dismissals = {
        (row.opportunity_id, row.flag): row
        for row in FlagDismissal.objects.filter(at__lte=now).select_related("by_user")
    }
    dismissed = frozenset(dismissals)
    moments = open_at(data, now)
    current = check_pipeline(data, moments, checks, now=now, dismissed=dismissed)
    if include_closed:
        closed = data.opportunities.filter(
            pl.col("closed_at").is_not_null() & (pl.col("closed_at") <= now)
        ).select("id", pl.col("closed_at").alias("as_of"))
        judged = check_pipeline(
            data, pl.concat([moments, closed]), checks, now=now, dismissed=dismissed
        )
    else:
        judged = current
    users, teams = _people(contract)
    report = health(
        data, checks, now=now, teams=teams, quarters=TREND_QUARTERS if trend else 1, current=current
    ).as_dict()
    for row in report["reps"]:
        row["rep"] = users.get(row["owner_id"], str(row["owner_id"]))
    deals = judged.deals
    return {
        "as_of": now.isoformat(),
        "currency": _currency(currencies),
        "scope": "open and closed" if include_closed else "open",
        "thresholds": pipeline_checks_to_dict(checks),
        "deals": deals.height,
        "flagged": len({f.opportunity for f in judged.flags}),
        "suspects": judged.suspects(),
        "flags": [
            f.as_dict()
            | {
                "rep": users.get(f.owner_id) if f.owner_id is not None else None,
                "dismissal": _dismissal(dismissals.get((f.opportunity, f.check.value))),
            }
            for f in judged.flags
        ],
        "checks": {
            check: sum(f.check.value == check for f in judged.flags)
            for check in sorted({f.check.value for f in judged.flags})
        },
        "stage_usual_days": {
            "quantile": judged.stage_times.quantile,
            "days": {k: round(v, 1) for k, v in sorted(judged.stage_times.days.items())},
            "deals": dict(sorted(judged.stage_times.deals.items())),
        },
        "health": report,
    }


def _dismissal(row: FlagDismissal | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"by": row.by_user.username, "at": row.at.isoformat(), "reason": row.reason}


def forecast_report(
    *, now: dt.datetime | None = None, backtest_quarters: int = 0
) -> dict[str, Any]:
    """This quarter's and the next quarter's forecast; with ``backtest_quarters``, the
    backtest on that many past quarters beside the naive baseline."""
    if backtest_quarters < 0:
        raise InvalidInputError("backtest: the number of quarters must not be negative")
    now = now or timezone.now()
    _, data, currencies = _load()
    this = Period.quarter_of(now.date())
    result: dict[str, Any] = {
        "as_of": now.isoformat(),
        "currency": _currency(currencies),
        "periods": [forecast(data, now, period).as_dict() for period in (this, this.following())],
    }
    if backtest_quarters:
        result["backtest"] = backtest(data, now, backtest_quarters).as_dict()
    return result


def _currency(currencies: list[str]) -> str | list[str] | None:
    """The deals' currency; every one of them when they differ (amounts are then added
    as they stand), none without deals."""
    if len(currencies) == 1:
        return currencies[0]
    return currencies or None
