"""Every table on every page as CSV: ``?csv=<table>`` on the page's own URL.

The CSV is read from the page the server has just rendered for the same request, so it
holds exactly the rows and columns the user sees (the ones hidden on a small screen
too) and can never disagree with the page. A rate's base ("12 of 40") is written beside
it; a cell marked ``data-csv="…"`` gives its own value, and ``data-csv-skip`` leaves a
column out (the action buttons). Cells are neutralised against formula injection.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from html.parser import HTMLParser

from django.http import HttpRequest, HttpResponse

from revloop.engine.imports.safety import SafeCsvWriter

CSV_PARAM = "csv"
_SPACE = re.compile(r"\s+")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
#: Elements whose text is not a cell's value.
_SILENT = frozenset({"script", "style", "template", "title", "select", "textarea", "form"})


class _TableReader(HTMLParser):
    def __init__(self, table: str) -> None:
        super().__init__(convert_charrefs=True)
        self.table = table
        self.rows: list[list[str]] | None = None
        self._depth = 0  # <table> nesting inside the wanted table
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._skip_cell = False
        self._fixed = False  # the cell gave its value in data-csv
        self._silent = 0
        self._rate_title: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            if self._depth:
                self._depth += 1
            elif self.rows is None and found.get("data-table") == self.table:
                self.rows = []
                self._depth = 1
            return
        if self._depth != 1:
            return
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._skip_cell = "data-csv-skip" in found
            given = found.get("data-csv")
            self._fixed = given is not None
            self._cell = [given] if given is not None else []
        elif tag in _SILENT:
            self._silent += 1
        elif tag == "abbr" and "rate" in (found.get("class") or "").split():
            self._rate_title.append(found.get("title"))
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._depth:
            self._depth -= 1
            return
        if self._depth != 1:
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            if not self._skip_cell:
                self._row.append(_SPACE.sub(" ", "".join(self._cell)).strip())
            self._cell = None
            self._fixed = False
        elif tag == "tr" and self._row is not None:
            if self._row and self.rows is not None:
                self.rows.append(self._row)
            self._row = None
        elif tag in _SILENT and self._silent:
            self._silent -= 1
        elif tag == "abbr" and self._rate_title:
            title = self._rate_title.pop()
            if title and self._cell is not None and not self._silent and not self._fixed:
                self._cell.append(f" ({title})")

    def handle_data(self, data: str) -> None:
        if self._depth == 1 and self._cell is not None and not self._silent and not self._fixed:
            self._cell.append(data)


def table_rows(html: str, table: str) -> list[list[str]] | None:
    """The rows of the table whose ``data-table`` is ``table``; None when there is none."""
    reader = _TableReader(table)
    reader.feed(html)
    reader.close()
    return reader.rows


def csv_response(rows: list[list[str]], name: str) -> HttpResponse:
    out = io.StringIO()
    SafeCsvWriter(out).writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    filename = _SAFE_NAME.sub("-", name) or "table"
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


class TableCsvMiddleware:
    """Answers ``?csv=<table>`` on any page with that table's rows as CSV."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        table = request.GET.get(CSV_PARAM)
        if (
            table is None
            or request.method != "GET"
            or response.status_code != 200
            or response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        rows = table_rows(response.content.decode(response.charset or "utf-8"), table)
        if rows is None:
            return HttpResponse(
                f"This page has no table named {table!r}.",
                status=404,
                content_type="text/plain; charset=utf-8",
            )
        return csv_response(rows, table)
