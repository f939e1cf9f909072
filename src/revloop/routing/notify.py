"""What routing tells the outside world: webhook events, delivered after commit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from revloop.people.models import Consent, Person


def _emit(event: str, text: str, data: dict[str, Any]) -> None:
    # Imported on use: the webhooks app imports the models of every context it reports on.
    from revloop.webhooks.actions import emit

    emit(event, text=text, data=data)


def _withdrawn(person_ids: Iterable[int]) -> set[int]:
    """The people among these who refused consent: nothing about them leaves revloop."""
    return set(
        Person.objects.filter(pk__in=list(person_ids), consent=Consent.DENIED).values_list(
            "pk", flat=True
        )
    )


def lead_assigned(person_id: int, rep: str, rule_id: str, at: datetime) -> None:
    if _withdrawn([person_id]):
        return
    _emit(
        "lead.assigned",
        f"Lead {person_id} assigned to {rep} ({rule_id})",
        {"person_id": person_id, "rep": rep, "rule_id": rule_id, "at": at.isoformat()},
    )


def leads_assigned(count: int, by_rep: dict[str, int], at: datetime) -> None:
    """A bulk run announces itself once rather than per lead, so a backlog does not
    flood the channel it reports to."""
    _emit(
        "lead.assigned",
        f"{count} leads assigned",
        {"count": count, "by_rep": by_rep, "at": at.isoformat()},
    )


def sla_warning(clock: dict[str, Any]) -> None:
    if _withdrawn([clock["person_id"]]):
        return
    _emit(
        "sla.warning",
        f"{clock['rep']}: {clock['kind'].replace('_', ' ')} for lead {clock['person_id']}"
        f" is due at {clock['due_at']:%Y-%m-%d %H:%M %Z}",
        _plain(clock),
    )


def sla_breached(clock: dict[str, Any]) -> None:
    if _withdrawn([clock["person_id"]]):
        return
    escalated = f", escalated to {clock['escalated_to']}" if clock.get("escalated_to") else ""
    reassigned = f", re-assigned to {clock['reassigned_to']}" if clock.get("reassigned_to") else ""
    _emit(
        "sla.breached",
        f"{clock['rep']} missed the {clock['kind'].replace('_', ' ')} deadline for lead"
        f" {clock['person_id']}{escalated}{reassigned}",
        _plain(clock),
    )


def sla_many(event: str, clocks: list[dict[str, Any]]) -> None:
    """Many clocks at once (a worker catching up, a backlog falling due together) make
    one message with counts per rep and manager, and every lead's id in the data."""
    withdrawn = _withdrawn(clock["person_id"] for clock in clocks)
    clocks = [clock for clock in clocks if clock["person_id"] not in withdrawn]
    if not clocks:
        return
    reps = Counter(str(clock["rep"]) for clock in clocks)
    managers = Counter(str(c["escalated_to"]) for c in clocks if c.get("escalated_to"))
    kinds = Counter(str(clock["kind"]) for clock in clocks)
    moved = sum(1 for clock in clocks if clock.get("reassigned_to"))
    what = "deadlines missed" if event == "sla.breached" else "deadlines coming up"
    per_rep = ", ".join(f"{rep} {n}" for rep, n in sorted(reps.items()))
    _emit(
        event,
        f"{len(clocks)} {what} ({per_rep})" + (f"; {moved} leads re-assigned" if moved else ""),
        {
            "count": len(clocks),
            "by_rep": dict(sorted(reps.items())),
            "by_kind": dict(sorted(kinds.items())),
            "escalated_to": dict(sorted(managers.items())),
            "reassigned": moved,
            "clocks": [_plain(clock) for clock in clocks],
        },
    )


def lead_decided(event: str, person_id: int, by: str | None, reason_code: str) -> None:
    if _withdrawn([person_id]):
        return
    verb = "accepted" if event == "lead.accepted" else "rejected"
    because = f" ({reason_code})" if reason_code else ""
    _emit(
        event,
        f"Lead {person_id} {verb}{' by ' + by if by else ''}{because}",
        {"person_id": person_id, "by": by, "reason_code": reason_code},
    )


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}
