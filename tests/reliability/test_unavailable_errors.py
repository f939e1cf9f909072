"""Which database errors mean "the database is away" (503, exit 75, the worker waits)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from django.db import IntegrityError, InterfaceError, OperationalError

from revloop.core.database import database_unavailable
from revloop.core.errors import DatabaseUnavailableError


def _wrapped(kind: type[Exception], cause: Exception) -> Exception:
    """As Django raises a driver's error: its own class, the driver's as the cause."""
    error = kind(str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(OperationalError, psycopg.OperationalError("connection refused")),
        _wrapped(OperationalError, psycopg.errors.AdminShutdown("terminating connection")),
        _wrapped(InterfaceError, psycopg.InterfaceError("connection already closed")),
        # The analytics read through the driver itself.
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        _wrapped(OperationalError, sqlite3.OperationalError("unable to open database file")),
    ],
)
def test_a_lost_server_or_file_is_unavailability(error: Exception) -> None:
    found = database_unavailable(error)
    assert isinstance(found, DatabaseUnavailableError)
    assert (found.status, found.exit_code, found.code) == (503, 75, "database_unavailable")
    assert found.message.startswith("the database is unavailable (")


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(OperationalError, psycopg.errors.DeadlockDetected("deadlock detected")),
        _wrapped(OperationalError, sqlite3.OperationalError("database is locked")),
        _wrapped(IntegrityError, psycopg.errors.UniqueViolation("duplicate key")),
        ValueError("not a database error"),
    ],
)
def test_other_database_errors_are_not(error: Exception) -> None:
    assert database_unavailable(error) is None
