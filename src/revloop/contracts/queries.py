"""Read-only views of the contract's versions, approvals and log, as plain data."""

from __future__ import annotations

from typing import Any

from revloop.contracts.actions import missing_signatures
from revloop.contracts.models import ContractStatus, ContractVersion
from revloop.contracts.versions import active_version, get_version


def list_versions() -> dict[str, Any]:
    """Every version, newest first, and which one is active."""
    active = active_version()
    versions = ContractVersion.objects.select_related("proposed_by", "base").order_by("-number")
    return {
        "active": active.number,
        "versions": [_summary(version) for version in versions],
    }


def version_detail(number: int | str | None = None) -> dict[str, Any]:
    """One version (the active one by default): text, diff, signatures and its log."""
    version = active_version() if number is None else get_version(number)
    approvals = version.approvals.select_related("user").order_by("at", "id")
    events = version.events.select_related("by_user").order_by("at", "id")
    return {
        **_summary(version),
        "digest": version.digest,
        "note": version.note,
        "diff": version.diff,
        "diff_text": version.diff_text,
        "approvals": [
            {"user": a.user.username, "roles": list(a.roles), "at": a.at} for a in approvals
        ],
        "events": [
            {
                "kind": e.kind,
                "at": e.at,
                "by": e.by_user.username if e.by_user else None,
                "note": e.note,
            }
            for e in events
        ],
        "text": version.text,
    }


def _summary(version: ContractVersion) -> dict[str, Any]:
    missing = list(missing_signatures(version)) if version.status == ContractStatus.DRAFT else []
    return {
        "number": version.number,
        "name": version.name,
        "status": version.status,
        "proposed_by": version.proposed_by.username if version.proposed_by else None,
        "proposed_at": version.proposed_at,
        "base": version.base.number if version.base else None,
        "activated_at": version.activated_at,
        "ended_at": version.ended_at,
        "changes": len(version.diff.get("changes", [])) if version.diff else 0,
        "approved_by": list(
            version.approvals.order_by("at", "id").values_list("user__username", flat=True)
        ),
        "missing_signatures": missing,
    }
