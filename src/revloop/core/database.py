"""Telling a database that went away from a request that went wrong.

A stopped, restarting or unreachable server is nobody's mistake and passes by itself:
commands exit with :class:`~revloop.core.errors.DatabaseUnavailableError`'s code, the
web answers 503, the worker waits and reconnects. Any other database error (a lock
timeout, a deadlock, a missing table) is not this.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

from revloop.core.errors import DatabaseUnavailableError

#: SQLSTATE classes of a lost server: connection exceptions (08) and operator
#: intervention (57P: shut down, crashed, starting up).
_GONE = ("08", "57P")
#: SQLite's words for a database file it cannot reach.
_SQLITE_GONE = ("unable to open database file", "disk i/o error")


#: Where the errors come from: Django's wrappers, or a driver used directly (the
#: analytics read through their own connections).
_DRIVERS = frozenset({"django", "psycopg", "psycopg2", "sqlite3"})


def database_unavailable(exc: BaseException) -> DatabaseUnavailableError | None:
    """The error to answer when ``exc`` means the database is not there; else None."""
    driver = exc.__cause__ if isinstance(exc, OperationalError | InterfaceError) else exc
    if driver is None:
        driver = exc
    kinds = {kind.__name__ for kind in type(driver).__mro__}
    source = type(driver).__module__.split(".")[0]
    if source not in _DRIVERS or not kinds & {"OperationalError", "InterfaceError"}:
        return None
    text = str(exc).strip()
    if source == "sqlite3":
        gone = any(words in text.lower() for words in _SQLITE_GONE)
    else:
        # No SQLSTATE: the client lost or never had its connection.
        state = getattr(driver, "sqlstate", None)
        gone = "InterfaceError" in kinds or state is None or str(state).startswith(_GONE)
    if not gone:
        return None
    first = text.splitlines()[0] if text else type(exc).__name__
    return DatabaseUnavailableError(
        f"the database is unavailable ({first}); try again once it is back"
    )
