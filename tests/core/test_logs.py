"""Logs: an expected refusal is one line, and the JSON format is one object a line."""

from __future__ import annotations

import json
import logging

from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from revloop.core.logs import ExpectedRefusalFilter, JsonFormatter


def _record(status: int) -> logging.LogRecord:
    try:
        raise PermissionDenied("no")
    except PermissionDenied:
        import sys

        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x",), sys.exc_info()
        )
    record.status_code = status
    record.request = RequestFactory().get("/x")
    return record


def test_an_expected_403_is_one_line_and_a_500_keeps_its_traceback() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    refused = _record(403)
    ExpectedRefusalFilter().filter(refused)
    assert handler.format(refused) == "WARNING Forbidden: /x"
    failed = _record(500)
    ExpectedRefusalFilter().filter(failed)
    assert "Traceback" in handler.format(failed)


def test_the_json_format_is_one_object_a_line() -> None:
    record = _record(403)
    ExpectedRefusalFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["level"], entry["status"], entry["path"]) == ("WARNING", 403, "/x")
    assert entry["message"] == "Forbidden: /x"
