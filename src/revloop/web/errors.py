"""Pages answer a domain error in one place: a styled page with the error's status.

Views raise :mod:`revloop.core.errors` (or Django's ``PermissionDenied``) and never
translate them: this middleware renders ``web/error.html`` saying what went wrong and,
for a refusal, what is missing and who can grant it. Django logs the answer as one
line (``Forbidden: /path``); an expected refusal is no traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import escape
from django.views import defaults

from revloop.core.database import database_unavailable
from revloop.core.errors import ForbiddenError, RevloopError, as_domain_error
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
        if (gone := database_unavailable(exc)) is not None:
            return unavailable(request, gone)
        domain = as_domain_error(exc)
        if domain is None:
            return None
        if request.path.startswith("/api/"):
            # Ninja answers its operations' errors; this is for the views beside them
            # (the documentation), in the same form.
            body = {"code": domain.code, "message": domain.message}
            return JsonResponse(body, status=domain.status)
        return error_page(request, domain)


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


#: Seconds a browser or client waits before retrying while the database is away.
RETRY_AFTER_UNAVAILABLE = 5


def unavailable(request: HttpRequest, exc: RevloopError) -> HttpResponse:
    """503 while the database is away: a bare page, since the styled one reads the
    signed-in user (and so the database) to draw its menu."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)
    else:
        response = HttpResponse(
            "<!doctype html><title>revloop is unavailable</title>"
            f"<h1>revloop is unavailable for a moment</h1><p>{escape(exc.message)}</p>",
            status=exc.status,
        )
    response["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: an outage met outside a view (a middleware reading the session,
    say) is answered 503 like one met inside it."""
    gone = database_unavailable(sys.exc_info()[1] or Exception())
    if gone is not None:
        return unavailable(request, gone)
    return defaults.server_error(request)
