"""The versions every cache keys on, and the publication boundary that moves them.

`site_state` (one row) holds `version` (content and settings), `comments_version`
(what readers see of comments) and `next_publication_at` (the earliest future
`published_at` of a published article). Reading them is one primary-key look-up per
request; when that read finds `next_publication_at` passed, the reader moves
`version` and the boundary to the next scheduled article in one guarded UPDATE, so
the scheduled story is in every cache's key the first request after its time.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app

from blog.core.driver import read_row
from blog.core.state import request_state
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, ArticleStatus, SiteState

logger = logging.getLogger("blog.cache")

# The one row, twice: as driver SQL for the per-request read (no compilation, no
# session), and as a statement for the connections and sessions that write.
_VERSION_SQL = "SELECT version, comments_version, next_publication_at FROM site_state WHERE id = 1"
_VERSIONS = sa.select(
    SiteState.version, SiteState.comments_version, SiteState.next_publication_at
).where(SiteState.id == 1)


class Versions(NamedTuple):
    content: int
    comments: int
    # Unix time of the next scheduled publication, None when nothing is scheduled.
    next_publication: float | None

    def seconds_left(self, now: float | None = None) -> float | None:
        """Seconds until the next publication (0 when due); None when none is scheduled."""
        if self.next_publication is None:
            return None
        return max(0.0, self.next_publication - (time.time() if now is None else now))


def _timestamp(value: object) -> float | None:
    """A driver's datetime (PostgreSQL) or naive-UTC text (SQLite) as Unix time."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def _versions_from(row) -> Versions:
    if not row:
        return Versions(0, 0, None)
    return Versions(row[0] or 0, row[1] or 0, _timestamp(row[2]))


def next_publication_query(now: datetime) -> sa.ScalarSelect:
    """The earliest `published_at` after `now` of a published article (NULL if none)."""
    return (
        sa.select(sa.func.min(Article.published_at))
        .where(Article.status == ArticleStatus.PUBLISHED, Article.published_at > now)
        .scalar_subquery()
    )


def advance_statement(now: datetime) -> sa.Update:
    """Move the content version past a publication time that has come, at most once.

    The WHERE clause makes it idempotent: of several workers that see the same passed
    boundary, one moves the version and the boundary; the others update no row.
    """
    return (
        sa.update(SiteState)
        .where(SiteState.id == 1, SiteState.next_publication_at <= now)
        .values(version=SiteState.version + 1, next_publication_at=next_publication_query(now))
    )


def _due(versions: Versions) -> bool:
    return versions.next_publication is not None and versions.next_publication <= time.time()


def read_versions(engine: sa.Engine) -> Versions:
    """The committed versions, on a pooled driver connection; a passed boundary moved.

    Outside the ORM session and without an app context (blog/core/driver.py says why): this
    runs on every request, page-cache hits included (blog/core/cache/pages.py reads it
    before Flask is involved).
    """
    row = read_row(engine, _VERSION_SQL)
    versions = _versions_from(row)
    return _advance(engine, versions) if _due(versions) else versions


def _advance(engine: sa.Engine, seen: Versions) -> Versions:
    """Move a passed boundary (see `advance_statement`) and read the versions again."""
    now = utcnow()
    try:
        with engine.begin() as connection:
            connection.execute(advance_statement(now))
            row = connection.execute(_VERSIONS).first()
    except sa.exc.OperationalError as error:
        # Another writer held SQLite's lock past the busy timeout: the next request
        # moves the boundary instead. Until then this one keys on the old version.
        logger.warning("could not move the publication boundary yet: %s", error)
        return seen
    return _versions_from(row)


def versions() -> Versions:
    """The versions for this request, read once.

    A request inside a write transaction (see `blog.core.database.writing`) asks its own
    session instead, so what it renders reflects its own uncommitted writes.
    """
    state = request_state()
    if state.versions is None:
        if state.writing:
            found = _session_versions()
            if _due(found):
                db.session.execute(advance_statement(utcnow()))
                found = _session_versions()
        else:
            found = read_versions(current_app.extensions.get("blog_versions_engine", db.engine))
        state.versions = found
    return state.versions


def _session_versions() -> Versions:
    return _versions_from(db.session.execute(_VERSIONS).first())


def current_version() -> int:
    """The content version: everything cached is keyed on it."""
    return versions().content


def comments_version() -> int:
    """The comments version, for caches that show comments or their counts."""
    return versions().comments
