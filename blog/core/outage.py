"""Riding out a database outage: in a long-running process such as `blog worker`, and at
the end of a request whose connection died under it."""

from __future__ import annotations

import contextlib
import logging
import random
import sqlite3
import time

import sqlalchemy as sa

from blog.extensions import db


def _driver_errors() -> tuple[type[Exception], ...]:
    # Reads on a raw pooled connection (blog/core/driver.py) raise the driver's own
    # errors, not SQLAlchemy's wrappers.
    found: list[type[Exception]] = [sqlite3.OperationalError, sqlite3.InterfaceError]
    with contextlib.suppress(ImportError):
        import psycopg

        found += [psycopg.OperationalError, psycopg.InterfaceError]
    return tuple(found)


# What an unreachable, restarting or locked database raises; an IntegrityError or a
# bug is not an outage and must not be waited out.
OUTAGE_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError, *_driver_errors())


class Outage:
    """Backoff and logging while the database cannot be reached.

    `failed(error)` forgets the session's connection and returns how long to wait: `base`
    seconds, doubled per failure up to `maximum`, +-20 % jitter, so several workers do
    not come back in step. The first failure logs one warning, however long the outage
    lasts; `succeeded()` logs one line when the database answers again.
    """

    def __init__(self, logger: logging.Logger, base: float = 1.0, maximum: float = 30.0):
        self.logger = logger
        self.base = base
        self.maximum = maximum
        self.failures = 0
        self.since = 0.0

    def failed(self, error: Exception) -> float:
        if not self.failures:
            self.since = time.monotonic()
            self.logger.warning(
                "Database unavailable; waiting and retrying until it is back: %s",
                str(error).splitlines()[0] if str(error) else type(error).__name__,
            )
        self.failures += 1
        with contextlib.suppress(Exception):
            db.session.remove()  # the pool hands out a fresh connection next time
        delay = min(self.base * 2 ** (self.failures - 1), self.maximum)
        return delay * random.uniform(0.8, 1.2)

    def succeeded(self) -> None:
        if self.failures:
            waited = time.monotonic() - self.since
            self.logger.warning("Database back after %.0f s (%d tries)", waited, self.failures)
            self.failures = 0


def release_session(_error: BaseException | None = None) -> None:
    """Close the request's session even when its connection died under the request.

    Flask-SQLAlchemy's own teardown closes the session with a ROLLBACK; on a connection
    the database dropped, that raises after the response was made, and the reader gets
    the server's bare "Internal Server Error" instead of the page (or the 503 page).
    Registered after Flask-SQLAlchemy, so it runs first. A connection the driver reports
    lost is invalidated by SQLAlchemy already, and the pool opens a new one next time.
    """
    try:
        db.session.remove()
    except OUTAGE_ERRORS:
        db.session.registry.clear()
