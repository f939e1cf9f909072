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


class NotFound(RevloopError):
    code = "not_found"
    status = 404


class PermissionDenied(RevloopError):
    code = "forbidden"
    status = 403


class InvalidInput(RevloopError):
    code = "invalid"
    status = 400
