"""``revloop import campaign-members FILE``: a campaign's audience stored with each one's group.

The file is read by :mod:`revloop.capture.members`; people that do not exist yet are
created (as the people API does), then each campaign's memberships are recorded.
"""

from __future__ import annotations

import time
from datetime import UTC, tzinfo
from pathlib import Path

from revloop.activity.actions import NewMember, do_record_campaign_members
from revloop.capture.actions.people import do_upsert_people
from revloop.capture.members import MemberRow, MembersImport, read_members
from revloop.capture.schemas import MAX_BATCH
from revloop.engine.imports.values import DateOrder


def do_import_campaign_members(
    path: str | Path,
    *,
    campaign: str | None = None,
    group_column: str | None = None,
    control_value: str | None = None,
    default_tz: tzinfo = UTC,
    date_order: DateOrder = "mdy",
    strict: bool = False,
    dry_run: bool = False,
) -> MembersImport:
    """Read the file, then create the campaigns, people and memberships (module doc)."""
    started = time.perf_counter()
    summary, rows = read_members(
        path,
        campaign=campaign,
        group_column=group_column,
        control_value=control_value,
        default_tz=default_tz,
        date_order=date_order,
    )
    if dry_run or (strict and summary.errors):
        summary.seconds = time.perf_counter() - started
        return summary
    for name, members in rows.items():
        _store(summary, name, members)
    summary.committed = True
    summary.seconds = time.perf_counter() - started
    return summary


def _store(summary: MembersImport, name: str, rows: list[MemberRow]) -> None:
    created_campaign = False
    campaign_id = 0
    for start in range(0, len(rows), MAX_BATCH):
        part = rows[start : start + MAX_BATCH]
        found = do_upsert_people([{"email": email} for _, email, *_ in part])
        members = []
        for result, (row, email, group, arm, added) in zip(found.results, part, strict=True):
            if result.status == "rejected":
                reason = "; ".join(e.message for e in result.errors) or "rejected"
                summary.errors.append(
                    {"row": row, "field": "email", "reason": f"{email!r}: {reason}"}
                )
                continue
            if result.status == "created":
                summary.people_created += 1
            assert result.id is not None
            members.append(NewMember(int(result.id), group, arm, added))
        done = do_record_campaign_members(None, name, members)
        created_campaign = created_campaign or done.campaign_created
        campaign_id = done.campaign_id
        summary.added.update(done.added)
        summary.unchanged += done.unchanged
        summary.conflicts += len(done.conflicts)
    summary.campaigns[name] = {"id": campaign_id, "name": name, "created": created_campaign}
