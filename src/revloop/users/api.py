"""The audit trail over the API: admins read and filter it, as JSON or as CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import StreamingHttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from revloop.core.bounds import BoundedDateTime, CleanText
from revloop.users.audit import AuditFilter, audit_csv_rows, audit_entries
from revloop.users.requests import ApiRequest

router = Router(tags=["audit"])


class AuditQuery(Schema):
    actor: CleanText = Field("", max_length=150, description="username")
    action: CleanText = Field("", max_length=64, description="an action or its prefix (lead.)")
    object_type: CleanText = Field("", max_length=64)
    object_id: CleanText = Field("", max_length=64)
    since: BoundedDateTime | None = None
    until: BoundedDateTime | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]


def _filter(query: AuditQuery) -> AuditFilter:
    return AuditFilter(
        actor=query.actor,
        action=query.action,
        object_type=query.object_type,
        object_id=query.object_id,
        since=query.since,
        until=query.until,
    )


@router.get("/audit", response=list[AuditOut])
def audit(request: ApiRequest, query: Query[AuditQuery]) -> list[dict[str, Any]]:
    """The audit trail, newest first (admins only)."""
    entries = audit_entries(request.auth, _filter(query))
    page = entries[query.offset : query.offset + query.limit]
    return [
        {
            "id": e.pk,
            "at": e.at,
            "actor": e.actor_name,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "detail": e.detail,
        }
        for e in page
    ]


@router.get(
    "/audit.csv",
    response={200: str},
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def audit_csv(request: ApiRequest, query: Query[AuditQuery]) -> StreamingHttpResponse:
    """The selected entries as CSV (every match; ``limit`` and ``offset`` are ignored)."""
    entries = audit_entries(request.auth, _filter(query))
    response = StreamingHttpResponse(audit_csv_rows(entries), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response
