"""Pages answer a domain error in one place: a styled page with the error's status.

Views raise :mod:`revloop.core.errors` (or Django's ``PermissionDenied``) and never
translate them: this middleware renders ``web/error.html`` saying what went wrong and,
for a refusal, what is missing and who can grant it. Django logs the answer as one
line (``Forbidden: /path``); an expected refusal is no traceback.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from revloop.core.errors import ForbiddenError, RevloopError
from revloop.users.policy import GRANTED_BY, grantors

_TITLES = {
    400: "That request could not be answered",
    403: "Not allowed",
    404: "Not found",
    409: "Someone got there first",
    413: "Too large",
}


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, PermissionDenied):
            exc = ForbiddenError(str(exc) or "you may not open this page")
        if not isinstance(exc, RevloopError):
            return None
        if request.path.startswith("/api/"):
            # Ninja answers its operations' errors; this is for the views beside them
            # (the documentation), in the same form.
            body = {"code": exc.code, "message": exc.message}
            return JsonResponse(body, status=exc.status)
        return error_page(request, exc)


def error_page(request: HttpRequest, exc: RevloopError) -> HttpResponse:
    """The page for ``exc``, with its status."""
    context: dict[str, object] = {
        "status": exc.status,
        "title": _TITLES.get(exc.status, "Something is wrong with that request"),
        "message": exc.message,
    }
    if isinstance(exc, ForbiddenError):
        context.update(
            permission=exc.permission,
            roles=exc.roles,
            granted_by=GRANTED_BY,
            admins=grantors(),
        )
    return render(request, "web/error.html", context, status=exc.status)
