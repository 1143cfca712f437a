"""Where counted views go: a per-process buffer written in batches, and the day's salt.

A view is one dict appended to `Buffer.rows` on the request path (no database work).
A daemon thread per process (started with the first view after a fork) writes the
buffer every AUDIENCE_FLUSH_SECONDS in one multi-row INSERT in one write transaction,
and an `atexit` hook writes what is left when the worker stops normally. So a worker
killed with SIGKILL loses at most the views of its last interval (plus those of a
flush that was running), never more; a database that refuses a batch gets it back at
the next interval, up to AUDIENCE_BUFFER_MAX rows, then the oldest are dropped.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Flask

from blog.audience.counting import SaltCache, new_salt
from blog.core.jobs import committed_write
from blog.core.upsert import insert
from blog.extensions import db
from blog.models import PageView, VisitorSalt

logger = logging.getLogger("blog.audience")


class Buffer:
    """Views waiting to be written, and the thread that writes them."""

    def __init__(self, app: Flask):
        self.app = app
        self.rows: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.salts = SaltCache()
        self._pid: int | None = None

    def add(self, row: dict[str, Any]) -> None:
        with self.lock:
            self.rows.append(row)
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._start()

    def _start(self) -> None:
        seconds = float(self.app.config["AUDIENCE_FLUSH_SECONDS"])
        if seconds <= 0:  # tests flush by hand
            return
        thread = threading.Thread(target=self._loop, args=(seconds,), daemon=True,
                                  name="audience-flush")  # fmt: skip
        thread.start()
        atexit.register(self.flush)

    def _loop(self, seconds: float) -> None:
        while True:
            time.sleep(seconds)
            try:
                self.flush()
            except Exception:  # the database is down: the rows wait for the next try
                logger.exception("writing counted views failed")

    def flush(self) -> int:
        """Write every buffered view in one transaction; how many were written."""
        with self.lock:
            rows, self.rows = self.rows, []
        if not rows:
            return 0
        try:
            with self.app.app_context():
                with committed_write():
                    db.session.execute(sa.insert(PageView), rows)
                db.session.remove()
        except Exception:
            with self.lock:
                keep = int(self.app.config["AUDIENCE_BUFFER_MAX"]) - len(self.rows)
                self.rows[:0] = rows[-keep:] if keep > 0 else []
            raise
        return len(rows)

    def salt(self, day: date) -> str:
        return self.salts.get(day, self._load_salt)

    def _load_salt(self, day: date) -> str:
        with self.app.app_context():
            try:
                return day_salt(day)
            finally:
                db.session.remove()


def day_salt(day: date) -> str:
    """The salt of `day`, created on first use; older salts are deleted in the same
    transaction, so no process can hash with (or anyone read) yesterday's again."""
    salt = db.session.scalar(sa.select(VisitorSalt.salt).where(VisitorSalt.day == day))
    if salt is not None:
        return salt
    with committed_write():
        db.session.execute(
            insert(VisitorSalt).values(day=day, salt=new_salt()).on_conflict_do_nothing()
        )
        db.session.execute(sa.delete(VisitorSalt).where(VisitorSalt.day < day))
    return db.session.scalar(sa.select(VisitorSalt.salt).where(VisitorSalt.day == day))


def buffer(app: Flask) -> Buffer:
    """The app's buffer (one per app, so tests' apps never share views)."""
    found = app.extensions.get("blog_audience")
    if found is None:
        found = app.extensions["blog_audience"] = Buffer(app)
    return found
