"""Engine setup and the write discipline every view that changes data follows.

SQLite: WAL, a busy timeout, foreign keys and synchronous=NORMAL on every connection.
Several gunicorn workers share the file, so a transaction that will write must take the
write lock when it begins (`BEGIN IMMEDIATE`): a deferred transaction that reads and
then writes fails at once with "database is locked" if another worker committed in
between, instead of waiting. Views open `with writing() as write:` after their slow
work (validation, Markdown rendering) and before their first query of the write; a
check inside it that refuses calls `write.refuse(message)`, and the view renders the
refused form after the block, once the lock is released (see `writing()`).

Waiting writers queue on a file lock (`<database>.writelock`, flock) taken just
before `BEGIN IMMEDIATE` and released when the transaction ends. SQLite's own busy
handler polls with sleeps of up to 100 ms, so under contention most of a writer's
time went to sleeping; the kernel wakes a flock waiter the moment the lock is free.
The lock only orders writers: SQLite's locking still guarantees correctness, and a
process that dies releases its flock with it.

PostgreSQL: `writing()` only ends the read transaction, and the write runs in a
fresh READ COMMITTED transaction; nothing is serialised, which is the point of moving
to PostgreSQL. That is safe because of how the code writes, not by luck:
- counters are SQL increments (`SET n = n + 1`): a second writer waits for the row
  lock and then re-reads the committed row, so no increment is lost (tests/
  test_concurrency.py checks 400 concurrent comments against `comment_count`);
- uniqueness is enforced by unique constraints, never by a look-up alone: where two
  requests may race to insert the same value (registration, a spent reset token, a
  second report of a comment, a category, page or article slug) the view catches the
  IntegrityError of the loser and answers as if it had seen the row; rows created on
  the fly (a tag saved with an article, a setting saved the first time) are inserted
  with ON CONFLICT DO NOTHING or an upsert (blog/core/upsert.py) and then read back;
- rate limits count rows and then insert, so N simultaneous requests can overshoot
  a limit by at most N - 1; they are throttles, not invariants.
Connections are checked with `pool_pre_ping` (a restarted server or a dropped idle
connection costs one reconnect, not a 500), except on the small pool of the versions
read every request makes (blog/core/driver.py, `unpinged_engine`), and `postgres://`
or `postgresql://` URLs are read as psycopg 3 (`postgresql+psycopg://`), the driver
this project ships.
"""

import fcntl
import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, abort, before_render_template, current_app, has_app_context

from blog.core.driver import unpinged_engine
from blog.core.state import end_write, request_state
from blog.extensions import db

ModelT = TypeVar("ModelT")


def psycopg_url(uri: str) -> str:
    """`postgres://` and `postgresql://` read as psycopg 3, the driver this project ships;
    any other URL unchanged."""
    url = sa.engine.make_url(uri)
    if url.drivername in ("postgres", "postgresql"):
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return uri


def engine_options(app: Flask) -> None:
    """Normalise a PostgreSQL URL to psycopg 3 and set engine options per engine.

    Runs before Flask-SQLAlchemy creates the engine; options the site's config sets
    explicitly win.
    """
    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        return
    app.config["SQLALCHEMY_DATABASE_URI"] = uri = psycopg_url(uri)
    if sa.engine.make_url(uri).get_backend_name() == "postgresql":
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("pool_pre_ping", True)
        # Idle server-side connections are closed by proxies and firewalls after a
        # while; recycling within an hour keeps the pool from collecting dead ones.
        options.setdefault("pool_recycle", 1800)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def configure_engine(app: Flask) -> None:
    """Install the per-connection settings of the engine; no connection is opened here."""
    before_render_template.connect(_no_render_in_write, app)
    engine = db.engine
    app.extensions["blog_engine"] = engine  # for code that runs outside an app context
    if engine.dialect.name == "postgresql":
        sa.event.listen(engine, "connect", _postgresql_connect)
        versions_engine = app.extensions["blog_versions_engine"] = unpinged_engine(engine)
        if versions_engine is not engine:
            sa.event.listen(versions_engine, "connect", _postgresql_connect)
            # Its connections go when the main pool's do (a test copying the database).
            sa.event.listen(engine, "engine_disposed", lambda _: versions_engine.dispose())
        return
    if engine.dialect.name != "sqlite":
        return
    timeout = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
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
    def on_begin(connection) -> None:
        immediate = has_app_context() and request_state().writing
        if immediate and writer_lock is not None:
            writer_lock.acquire()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    if writer_lock is not None:
        app.extensions["blog_writer_lock"] = writer_lock
        app.teardown_appcontext(lambda _exc: writer_lock.release())


@functools.cache
def _nul_safe_dumpers() -> tuple[type, type]:
    # Imported here: psycopg is an optional dependency (the `postgres` extra).
    from psycopg.types.string import StrBinaryDumper, StrDumperUnknown

    class NulSafeDumper(StrDumperUnknown):
        def dump(self, obj: str):
            return super().dump(obj.replace("\x00", "\ufffd"))

    class NulSafeBinaryDumper(StrBinaryDumper):
        def dump(self, obj: str):
            return super().dump(obj.replace("\x00", "\ufffd"))

    return NulSafeDumper, NulSafeBinaryDumper


def _postgresql_connect(dbapi_connection, _record) -> None:
    """PostgreSQL text cannot hold NUL; a NUL in user input becomes U+FFFD, not a 500.

    SQLite stores NUL, and the content pipeline removes control characters before
    anything is saved, so this only matters for values that are looked up (a login
    name, a search) or that a validator refuses anyway.
    """
    text, binary = _nul_safe_dumpers()
    # The text dumper last: it stays the default for str, as in psycopg itself.
    dbapi_connection.adapters.register_dumper(str, binary)
    dbapi_connection.adapters.register_dumper(str, text)


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


def _release_writer_lock(_session) -> None:
    if has_app_context():
        lock = current_app.extensions.get("blog_writer_lock")
        if lock is not None:
            lock.release()


# After the database has committed or rolled back, the next writer may go.
sa.event.listen(so.Session, "after_commit", _release_writer_lock)
sa.event.listen(so.Session, "after_rollback", _release_writer_lock)


def begin_write() -> None:
    """End the current read transaction; the next one takes the write lock at once.

    Views use `writing()`, which calls this and also ends the transaction however the
    block ends; the queue worker and the importer call it directly around their own
    commit loops. On SQLite the following transaction starts with BEGIN IMMEDIATE and
    so waits (busy timeout) for other writers instead of failing; on PostgreSQL it only
    ends the read transaction and the write runs under READ COMMITTED (see the module
    docstring for why that is safe). The flag is cleared when that transaction commits
    or rolls back, so whatever the request does afterwards reads without the lock.
    """
    db.session.commit()
    request_state().writing = True


class Refusal(Exception):
    """A write given up for a reason the user is told: `Write.refuse` raises it."""

    def __init__(self, message: str = "", status: int = 422, **details: object):
        super().__init__(message)
        self.message = message
        self.status = status
        self.details = details


class Write:
    """What `writing()` yields: `refuse()` gives the write up, `refused` tells why."""

    refused: Refusal | None = None

    def refuse(self, message: str = "", status: int = 422, **details: object) -> NoReturn:
        """Give the write up: the block ends here and rolls back. The message may stay
        empty when the reason is already on the form (field errors)."""
        raise Refusal(message, status, **details)


@contextmanager
def writing() -> Iterator[Write]:
    """A write transaction for the block: committed by the block, else rolled back.

    The block commits (`db.session.commit()`) when its write is complete. Whatever it
    has not committed when it ends is rolled back, which releases the writer lock: a
    normal end, an exception (a 404 found inside it), or `write.refuse(message)`, which
    ends the block at once and leaves the refusal in `write.refused`. The view renders
    the refused form after the block, so other workers' writes never wait on a render::

        with writing() as write:
            if slug_taken(slug):
                write.refuse("Another page already uses this slug.")
            ...
            db.session.commit()
        if write.refused:
            return render_template(..., error=write.refused.message), 422

    In tests a template rendered inside the block raises (see `_no_render_in_write`).
    """
    write = Write()
    begin_write()
    try:
        yield write
    except Refusal as refusal:
        write.refused = refusal
    finally:
        if db.session().in_transaction():
            db.session.rollback()
        request_state().writing = False


def reread(instance: ModelT) -> ModelT:
    """`instance` read again inside the open write transaction (what a concurrent
    request committed since it was loaded); aborts 404 when that request deleted it.

    A plain `session.refresh` raises on a deleted row, which was a 500 for two tabs
    editing and deleting the same comment, tag or page at once.
    """
    try:
        db.session.refresh(instance)
    except sa.exc.InvalidRequestError:
        abort(404)
    return instance


def _no_render_in_write(app: Flask, template, context, **_extra) -> None:
    """Under TESTING, rendering a page while holding the write lock is a bug.

    Other workers' writes would wait for the render; `writing()` says how to render a
    refusal after the block instead. Production renders anyway: a slow page is better
    than an error page.
    """
    if app.testing and request_state().writing:
        raise RuntimeError(
            f"{template.name} rendered inside a write transaction: "
            "render after the `with writing():` block"
        )


def _end_write(_session) -> None:
    end_write()


# Whatever happens to the write transaction, the next one is a plain read again.
sa.event.listen(so.Session, "after_commit", _end_write)
sa.event.listen(so.Session, "after_rollback", _end_write)
