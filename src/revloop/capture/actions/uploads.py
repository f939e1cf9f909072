"""Imports of an uploaded file (API and page): the same run and report as ``revloop import``.

The upload is written to a file under ``REVLOOP_HOME/imports`` because the importer
reads its input twice (header and format first, then the rows, possibly in a second
process), then removed with its error file: the report lists every skipped row.
The import runs inside the request, so uploads are capped at
``REVLOOP_IMPORT_MAX_BYTES`` (20 MiB unless set); bigger files go through the command.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

from revloop.capture import members
from revloop.capture.actions.imports import do_import_file
from revloop.capture.actions.members import do_import_campaign_members
from revloop.capture.importer import error_csv_path
from revloop.capture.uploads import KINDS, UploadOptions, UploadTooLargeError, max_bytes
from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.engine.imports import ImportOptions
from revloop.users.models import User
from revloop.users.policy import require


def do_import_upload(
    user: User, kind: str, chunks: Iterable[bytes], *, size: int, options: UploadOptions
) -> dict[str, Any]:
    """Import an uploaded file of ``size`` bytes as ``kind`` for ``user``; the report is
    the one ``revloop import --json`` prints (without the error file, which is removed)."""
    if kind not in KINDS:
        raise NotFoundError(f"no import of {kind!r}: one of {', '.join(KINDS)}")
    require(user, f"import.{kind}")
    limit = max_bytes()
    if size > limit:
        raise UploadTooLargeError(
            f"file of {size:,} bytes exceeds {limit:,}; import it with `revloop import`"
        )
    import_options = options.import_options()
    folder = Path(settings.REVLOOP_HOME) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f"{kind}-", suffix=".csv", dir=folder)
    source = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        return _run(kind, source, options, import_options)
    except ValueError as exc:  # the file cannot be read at all (encoding, header, format)
        raise InvalidInputError(str(exc), code="invalid_file") from None
    finally:
        source.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            error_csv_path(source).unlink(missing_ok=True)


def _run(
    kind: str, source: Path, options: UploadOptions, import_options: ImportOptions
) -> dict[str, Any]:
    if kind == members.ENTITY:
        report = do_import_campaign_members(
            source,
            campaign=options.campaign or None,
            group_column=options.group_column or None,
            control_value=options.control or None,
            default_tz=import_options.default_tz,
            date_order=import_options.date_order,
            strict=options.strict,
            dry_run=options.dry_run,
        ).as_dict()
        report["file"] = None
        return report
    summary = do_import_file(
        kind,
        source,
        format_name=options.format,
        options=import_options,
        strict=options.strict,
        dry_run=options.dry_run,
        encoding=options.encoding or None,
    )
    report = summary.as_dict()
    report["error_csv"] = None
    return report
