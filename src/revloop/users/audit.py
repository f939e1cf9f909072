"""Reading the audit trail that the actions write (:func:`revloop.users.actions.record_audit`).

Actions call ``record_audit`` inside their transaction. The trail is append-only
(the model refuses rewrites and a database trigger refuses them from raw SQL), and an
admin reads it in the admin, on ``/api/v1/audit`` or as CSV.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from revloop.engine.imports.safety import neutralize_cell
from revloop.users.models import AuditEntry, User
from revloop.users.policy import require

#: The columns of the CSV export, in order.
CSV_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "detail")


def check_can_read_audit(user: User | None) -> None:
    require(user, "audit.read")


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What an admin narrows the trail to; every field optional."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


def audit_entries(user: User | None, where: AuditFilter) -> QuerySet[AuditEntry]:
    """The entries ``where`` selects, newest first; admins only."""
    check_can_read_audit(user)
    entries = AuditEntry.objects.all()
    if where.actor:
        entries = entries.filter(actor_name=where.actor)
    if where.action:
        # ``lead.`` selects every lead action; a full name selects one.
        entries = entries.filter(action__startswith=where.action)
    if where.object_type:
        entries = entries.filter(object_type=where.object_type)
    if where.object_id:
        entries = entries.filter(object_id=where.object_id)
    if where.since is not None:
        entries = entries.filter(at__gte=where.since)
    if where.until is not None:
        entries = entries.filter(at__lt=where.until)
    return entries.order_by("-at", "-id")


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_csv_rows(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    """The entries as CSV lines, streamed: a year of trail never sits in memory."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                entry.at.isoformat(),
                neutralize_cell(entry.actor_name),
                entry.action,
                entry.object_type,
                neutralize_cell(entry.object_id),
                neutralize_cell(json.dumps(entry.detail, sort_keys=True, default=str)),
            ]
        )
