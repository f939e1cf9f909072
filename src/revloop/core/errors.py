"""One error hierarchy, answered in one place each: the API as ``{code, message}`` with
the status below, a command as one line on stderr with the exit code below, a page as
a styled page with the status below."""

from __future__ import annotations

from collections.abc import Sequence

from revloop.engine.errors import EngineInputError


class RevloopError(Exception):
    code = "error"
    status = 400
    #: The exit code of a command that stops on this error.
    exit_code = 1

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFoundError(RevloopError):
    code = "not_found"
    status = 404
    exit_code = 4


class ForbiddenError(RevloopError):
    """Refused for who is asking. ``permission`` names what is missing and ``roles`` the
    roles that carry it, so an answer can say who to ask (an admin grants roles)."""

    code = "forbidden"
    status = 403
    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        permission: str = "",
        roles: Sequence[str] = (),
    ) -> None:
        super().__init__(message, code=code)
        self.permission = permission
        self.roles = tuple(roles)


class InvalidInputError(RevloopError):
    code = "invalid"
    status = 400
    exit_code = 2


class ConflictError(RevloopError):
    """The record changed under the request (someone else acted first)."""

    code = "conflict"
    status = 409
    exit_code = 5


class TooLargeError(RevloopError):
    code = "too_large"
    status = 413
    exit_code = 2


class DatabaseUnavailableError(RevloopError):
    """The database does not answer (stopped, restarting, unreachable): nothing was
    wrong with the request, and the same one will work once it is back."""

    code = "database_unavailable"
    status = 503
    #: EX_TEMPFAIL of sysexits.h: a temporary failure, worth retrying (cron, scripts).
    exit_code = 75


def as_domain_error(exc: BaseException) -> RevloopError | None:
    """``exc`` as the error it is answered as, or None for one that is not a domain error.

    The engine's refusals of input (:class:`EngineInputError`: an unreadable file, a
    mapping or catalog that does not parse) are invalid input, wherever they surface.
    """
    if isinstance(exc, RevloopError):
        return exc
    if isinstance(exc, EngineInputError):
        return InvalidInputError(str(exc))
    return None
