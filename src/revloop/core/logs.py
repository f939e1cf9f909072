"""Log records as one line each: plain text, or JSON for a log collector.

``REVLOOP_LOG_FORMAT=json`` writes each record as one JSON object (time, level, logger,
message, and the request's status and path when Django logs a request). A refusal the
application meant (a 403, a 404, a 429) is one line: its traceback says nothing the
line does not.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

# 409: someone else acted first; 503: the database is away (one line a request, not a
# traceback each while it restarts).
_EXPECTED_STATUSES = frozenset({400, 401, 403, 404, 405, 409, 413, 422, 429, 503})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        request = getattr(record, "request", None)
        if request is not None:
            entry["path"] = getattr(request, "path", "")
            entry["method"] = getattr(request, "method", "")
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class ExpectedRefusalFilter(logging.Filter):
    """Drop the traceback from a client error's record, keeping its one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in _EXPECTED_STATUSES:
            record.exc_info = None
            record.exc_text = None
        return True
