"""Engine setup and the write discipline every view that changes data follows.

SQLite: WAL, a busy timeout, foreign keys and synchronous=NORMAL on every connection.
Several gunicorn workers share the file, so a transaction that will write must take the
write lock when it begins (`BEGIN IMMEDIATE`): a deferred transaction that reads and
then writes fails at once with "database is locked" if another worker committed in
between, instead of waiting. Views call `begin_write()` after their slow work
(validation, Markdown rendering) and before their first query of the write.

Waiting writers queue on a file lock (`<database>.writelock`, flock) taken just
before `BEGIN IMMEDIATE` and released when the transaction ends. SQLite's own busy
handler polls with sleeps of up to 100 ms, so under contention most of a writer's
time went to sleeping; the kernel wakes a flock waiter the moment the lock is free.
The lock only orders writers: SQLite's locking still guarantees correctness, and a
process that dies releases its flock with it.
"""

import fcntl
import os
import threading

import sqlalchemy as sa
import sqlalchemy.orm as so
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

    database = engine.url.database
    writer_lock = (
        WriterLock(f"{database}.writelock") if database and database != ":memory:" else None
    )

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection) -> None:  # noqa: ANN001
        immediate = has_app_context() and g.get("_write_transaction", False)
        if immediate and writer_lock is not None:
            writer_lock.acquire()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    if writer_lock is not None:
        app.extensions["blog_writer_lock"] = writer_lock
        app.teardown_appcontext(lambda _exc: writer_lock.release())


class WriterLock:
    """An exclusive lock shared by every process (flock) and thread (a Lock) of a site.

    The file is opened lazily in each process, so a descriptor opened before
    gunicorn forks is never shared between workers.
    """

    def __init__(self, path: str):
        self.path = path
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid: int | None = None
        self._held = threading.local()

    def _descriptor(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def acquire(self) -> None:
        if getattr(self._held, "value", False):
            return
        self._thread_lock.acquire()
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX)
        except OSError:
            self._thread_lock.release()
            raise
        self._held.value = True

    def release(self) -> None:
        if not getattr(self._held, "value", False):
            return
        self._held.value = False
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


def _release_writer_lock(_session) -> None:  # noqa: ANN001
    from flask import current_app

    if has_app_context():
        lock = current_app.extensions.get("blog_writer_lock")
        if lock is not None:
            lock.release()


# After the database has committed or rolled back, the next writer may go.
sa.event.listen(so.Session, "after_commit", _release_writer_lock)
sa.event.listen(so.Session, "after_rollback", _release_writer_lock)


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
    db.session.execute(
        sa.update(SiteState).where(SiteState.id == 1).values(version=SiteState.version + 1)
    )


def current_version() -> int:
    """The content version every cache keys on (one cheap primary-key query)."""
    if "_site_version" not in g:
        g._site_version = (
            db.session.scalar(sa.select(SiteState.version).where(SiteState.id == 1)) or 0
        )
    return g._site_version
