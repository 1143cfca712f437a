"""Engine setup and the write discipline every view that changes data follows.

SQLite: WAL, a busy timeout, foreign keys and synchronous=NORMAL on every connection.
Several gunicorn workers share the file, so a transaction that will write must take the
write lock when it begins (`BEGIN IMMEDIATE`): a deferred transaction that reads and
then writes fails at once with "database is locked" if another worker committed in
between, instead of waiting. Views call `begin_write()` after their slow work
(validation, Markdown rendering) and before their first query of the write.
"""

import sqlalchemy as sa
from flask import Flask, g, has_app_context

from blog.extensions import db
from blog.models import SiteState


def configure_engine(app: Flask) -> None:
    """Install the per-connection SQLite settings; no connection is opened here."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    timeout = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {timeout}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection) -> None:  # noqa: ANN001
        immediate = has_app_context() and g.get("_write_transaction", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """End the current read transaction; the next one takes the write lock at once.

    Call it once the slow part of a request is done. On SQLite the following
    transaction starts with BEGIN IMMEDIATE and so waits (busy timeout) for other
    writers instead of failing; on other engines it only ends the read transaction.
    """
    db.session.commit()
    g._write_transaction = True


def bump_version() -> None:
    """Mark content, comments or settings as changed, for every worker's caches.

    An SQL increment, never read-and-rewrite in Python, so concurrent writers lose
    nothing. Call inside the write transaction that makes the change.
    """
    db.session.execute(sa.update(SiteState).where(SiteState.id == 1).values(version=SiteState.version + 1))


def current_version() -> int:
    """The content version every cache keys on (one cheap primary-key query)."""
    if "_site_version" not in g:
        g._site_version = db.session.scalar(sa.select(SiteState.version).where(SiteState.id == 1)) or 0
    return g._site_version
