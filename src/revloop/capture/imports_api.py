"""``POST /api/v1/imports/{kind}``: upload a CSV file, get the import report back."""

from __future__ import annotations

from typing import Any

from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from revloop.capture.actions import do_import_upload
from revloop.capture.uploads import UploadOptions, parse_columns
from revloop.users.requests import ApiRequest

router = Router(tags=["imports"])


class ImportFields(Schema):
    """The options of ``revloop import``, as form fields beside the file."""

    format: str = "auto"
    strict: bool = False
    dry_run: bool = False
    stage: str = ""
    decimal_comma: bool = False
    timezone: str = "UTC"
    date_order: str = "mdy"
    currency: str = "USD"
    encoding: str = ""
    column: list[str] = []  # FIELD=HEADER, repeatable
    campaign: str = ""
    group_column: str = ""
    control: str = ""


@router.post("/imports/{kind}")
def import_file(
    request: ApiRequest, kind: str, file: File[UploadedFile], fields: Form[ImportFields]
) -> dict[str, Any]:
    """Import the file as ``kind`` (people, accounts, touches, opportunities or
    campaign-members) with the options of ``revloop import``, synchronously: files up to
    ``REVLOOP_IMPORT_MAX_BYTES`` (20 MiB by default; 413 above). Answers the report
    ``revloop import --json`` prints; bad rows are in it, not a failure of the call.
    Marketing and admins import people, accounts, touches and campaign members; sales
    managers and admins import opportunities."""
    options = UploadOptions(
        format=fields.format,
        strict=fields.strict,
        dry_run=fields.dry_run,
        stage=fields.stage,
        decimal_comma=fields.decimal_comma,
        timezone=fields.timezone,
        date_order=fields.date_order,
        currency=fields.currency,
        encoding=fields.encoding or None,
        columns=parse_columns(fields.column),
        campaign=fields.campaign,
        group_column=fields.group_column,
        control=fields.control,
    )
    return do_import_upload(request.auth, kind, file.chunks(), size=file.size or 0, options=options)
