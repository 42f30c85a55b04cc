"""Database errors that are not server errors.

Two kinds of database error say nothing about the server's code, so they are not ``500``\\ s:

- the database refused a value of the request (``DataError``: a number out of the column's
  range, text the column's type cannot read; SQLite's limits, such as a ``search`` term too long
  for ``LIKE``): ``400`` ``invalid`` at the path of the request's ``data``;
- the database cannot be reached (connection refused or lost, the server shutting down or
  restarting, SQLite's lock): ``503`` ``service_unavailable``, logged as one warning line. Django
  drops a broken connection after the request and opens a fresh one for the next, so service
  resumes by itself when the database is back.

Everything else (a missing table, a syntax error) stays a server error, logged with its
traceback.
"""

from __future__ import annotations

import logging

from django.db import DataError, InterfaceError, OperationalError
from rest_framework import status

from .protocol import ErrorCode, ErrorItem, Path, error_item

__all__ = ["database_errors"]

logger = logging.getLogger("typedws")

# sqlite3's messages for limits that a request's input can reach.
_SQLITE_INPUT_LIMITS = (
    "LIKE or GLOB pattern too complex",
    "too many SQL variables",
    "Expression tree is too large",
    "string or blob too big",
    "too large to convert to SQLite INTEGER",  # an OverflowError of sqlite3
)
# SQLSTATE classes of a server out of reach: connection exceptions, an operator intervening
# (shutdown, restart, not yet accepting connections), too many connections.
_UNAVAILABLE_STATES = ("08", "57P", "53300")
_INPUT_REFUSED = "The database cannot store or search with a value of this request."
_UNAVAILABLE = "The database is unavailable; try again shortly."


def database_errors(exc: Exception, data_path: Path) -> tuple[int, list[ErrorItem]] | None:
    """The reply to ``exc`` if it is one of the two kinds above, else ``None``."""
    if isinstance(exc, DataError) or _sqlite_limit(exc):
        error = error_item(ErrorCode.INVALID, _INPUT_REFUSED, data_path)
        return status.HTTP_400_BAD_REQUEST, [error]
    if _unavailable(exc):
        summary = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        logger.warning("The database is unavailable: %s", summary)
        return status.HTTP_503_SERVICE_UNAVAILABLE, [
            error_item(ErrorCode.SERVICE_UNAVAILABLE, _UNAVAILABLE, [])
        ]
    return None


def _sqlite_limit(exc: Exception) -> bool:
    if not isinstance(exc, OperationalError | OverflowError):
        return False
    message = str(exc)
    return any(limit in message for limit in _SQLITE_INPUT_LIMITS)


def _unavailable(exc: Exception) -> bool:
    if isinstance(exc, InterfaceError):
        return True  # the connection is closed
    if not isinstance(exc, OperationalError):
        return False
    if "database is locked" in str(exc):
        return True
    # Django re-raises the driver's error from the original: psycopg's carries ``sqlstate``
    # (psycopg2's ``pgcode``), None for a failure on the client's side (connection refused).
    cause = exc.__cause__
    if not (hasattr(cause, "sqlstate") or hasattr(cause, "pgcode")):
        return False
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return state is None or str(state).startswith(_UNAVAILABLE_STATES)
