"""Backtest: what a contract version would have done over the last year of real history.

Both teams sign with evidence. For the version under review and for the active one,
the engine replays every person's touches (see ``engine.scoring.replay``) and finds
the first moment in the window at which the MQL rule would have held: those are the
MQLs the version would have made. Their outcomes come from what really happened to
the same people: accepted when Sales took them to SAL (or further), rejected when an
MQL went back to Recycled or Disqualified, won when they became a customer.

Caveats, printed with the numbers: fit is read from today's fields; a would-be MQL
that history never handed to Sales has no verdict, so acceptance counts only what
Sales actually accepted (``acceptance_rate_of_reviewed`` looks at decided ones only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import polars as pl
from django.utils import timezone

from revloop.activity.frames import touches_frame
from revloop.contracts.models import ContractVersion
from revloop.contracts.versions import active_version, contract_of, get_version
from revloop.core.frames import UTC, as_text, read_sql
from revloop.engine.scoring import first_mql_moments
from revloop.engine.vocabulary import LifecycleStage
from revloop.people.frames import people_frame

WINDOW = timedelta(days=365)

_ACCEPTED = [
    LifecycleStage.SAL.value,
    LifecycleStage.SQL.value,
    LifecycleStage.OPPORTUNITY.value,
    LifecycleStage.CUSTOMER.value,
]
_TURNED_DOWN = [LifecycleStage.RECYCLED.value, LifecycleStage.DISQUALIFIED.value]

METHOD = (
    "Each version's MQLs are the people for whom its MQL rule first holds, inside the"
    " window, at their last touch of a day or at creation, scored with all touches up to"
    " that moment and today's fit fields. Outcomes are what happened to the same people:"
    " accepted = reached SAL or later, rejected = sent back from MQL to Recycled or"
    " Disqualified (by the reason code of their latest rejection), won = became a"
    " customer. Rates are of the version's MQLs."
)


@dataclass(frozen=True)
class _Outcomes:
    accepted: pl.Series
    rejected: pl.Series
    #: ``person_id``, ``reason_code`` of each rejected person's latest rejection.
    rejected_reason: pl.DataFrame
    won: pl.Series
    handed_over: pl.Series


def backtest(number: int | str, *, now: datetime | None = None) -> dict[str, Any]:
    """Would-be MQLs, acceptance and win rates of version ``number`` and the active one."""
    end = now or timezone.now()
    start = end - WINDOW
    version, active = get_version(number), active_version()
    contracts = {version.number: contract_of(version), active.number: contract_of(active)}
    people = people_frame(contracts.values(), with_created=True)
    touches = touches_frame(contracts.values(), until=end)
    outcomes = _outcomes(start, end)
    found = {
        n: first_mql_moments(contract, people, touches, start=start, end=end)["person_id"]
        for n, contract in contracts.items()
    }
    mine, theirs = found[version.number], found[active.number]
    weeks = WINDOW.days / 7
    return {
        "version": _describe(version),
        "compared_with": _describe(active),
        "window": {"start": start, "end": end},
        "people": people.height,
        "touches": touches.height,
        "proposed": _stats(mine, outcomes, weeks),
        "active": _stats(theirs, outcomes, weeks),
        "history": _stats(outcomes.handed_over, outcomes, weeks),
        "overlap": {
            "both": int(mine.is_in(theirs.implode()).sum()),
            "only_proposed": int((~mine.is_in(theirs.implode())).sum()),
            "only_active": int((~theirs.is_in(mine.implode())).sum()),
        },
        "method": METHOD,
    }


def _describe(version: ContractVersion) -> dict[str, Any]:
    return {"number": version.number, "name": version.name, "status": version.status}


def _outcomes(start: datetime, end: datetime) -> _Outcomes:
    history = read_sql(
        f"SELECT person_id, from_stage, to_stage, reason_code, {as_text('at')}"  # noqa: S608 - our own names
        " FROM lifecycle_stagetransition",
        {
            "person_id": pl.Int64(),
            "from_stage": pl.String(),
            "to_stage": pl.String(),
            "reason_code": pl.String(),
            "at": UTC,
        },
    )

    def who(condition: pl.Expr) -> pl.Series:
        return history.filter(condition)["person_id"].unique().sort()

    in_window = (pl.col("at") >= start) & (pl.col("at") < end)
    turned_down = (pl.col("from_stage") == LifecycleStage.MQL.value) & pl.col("to_stage").is_in(
        _TURNED_DOWN
    )
    return _Outcomes(
        accepted=who(pl.col("to_stage").is_in(_ACCEPTED)),
        rejected=who(turned_down),
        rejected_reason=history.filter(turned_down)
        .sort("at")
        .group_by("person_id")
        .agg(pl.col("reason_code").fill_null("").last()),
        won=who(pl.col("to_stage") == LifecycleStage.CUSTOMER.value),
        handed_over=who((pl.col("to_stage") == LifecycleStage.MQL.value) & in_window),
    )


def _stats(mqls: pl.Series, outcomes: _Outcomes, weeks: float) -> dict[str, Any]:
    count = mqls.len()
    was_accepted = mqls.is_in(outcomes.accepted.implode())
    accepted = int(was_accepted.sum())
    # Rejected once and accepted on a later round counts as accepted.
    was_rejected = mqls.is_in(outcomes.rejected.implode()) & ~was_accepted
    rejected = int(was_rejected.sum())
    won = int(mqls.is_in(outcomes.won.implode()).sum())
    reviewed = accepted + rejected
    return {
        "mqls": count,
        "per_week": round(count / weeks, 1),
        "accepted": accepted,
        "rejected": rejected,
        "won": won,
        "acceptance_rate": _rate(accepted, count),
        "acceptance_rate_of_reviewed": _rate(accepted, reviewed),
        "win_rate": _rate(won, count),
        "never_handed_over": int((~mqls.is_in(outcomes.handed_over.implode())).sum()),
        "rejected_by_reason": _by_reason(mqls.filter(was_rejected), outcomes.rejected_reason),
    }


def _by_reason(rejected: pl.Series, reasons: pl.DataFrame) -> dict[str, int]:
    """Rejections per reason code, most frequent first (``unspecified`` when none was given)."""
    codes = reasons.filter(pl.col("person_id").is_in(rejected.implode()))["reason_code"]
    counts = codes.replace("", "unspecified").value_counts(name="n")
    rows = sorted(counts.iter_rows(), key=lambda row: (-row[1], row[0]))
    return {code: int(n) for code, n in rows}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
