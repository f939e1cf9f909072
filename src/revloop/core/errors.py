"""One error hierarchy: the API renders it as JSON with a code, the CLI as one line."""

from __future__ import annotations


class RevloopError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFoundError(RevloopError):
    code = "not_found"
    status = 404


class ForbiddenError(RevloopError):
    code = "forbidden"
    status = 403


class InvalidInputError(RevloopError):
    code = "invalid"
    status = 400
