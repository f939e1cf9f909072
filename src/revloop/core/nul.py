"""Refuse a NUL character in a request's path or query string.

PostgreSQL's text columns cannot hold NUL, so a lookup with one fails deep inside a
query; SQLite would store it. One check at the door answers 422 for every route.
Bodies are left to the schemas (``revloop.core.bounds.CleanText``), which name the
field and, in a batch, reject only the item that holds it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse


def has_nul(request: HttpRequest) -> str | None:
    """Where the request carries a NUL, or None."""
    if "\x00" in request.path:
        return "path"
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return f"query parameter {key!r}"
    return None


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = has_nul(request)
        if where is None:
            return self.get_response(request)
        message = f"{where}: contains a NUL character"
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "invalid", "message": message}, status=422)
        return HttpResponse(message, status=422, content_type="text/plain; charset=utf-8")
