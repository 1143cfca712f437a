"""The site's own records: pages, settings, the cache versions, throttles, spent tokens,
the audit log, and what a WordPress move leaves (old links, import records).

Re-exported by blog/models/, which callers import them from.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.core.types import UTCDateTime, utcnow
from blog.extensions import db
from blog.models.common import NEVER_REUSE_IDS
from blog.models.people import User


class Redirect(db.Model):
    """An old address (an imported site's permalink, /?p=ID, a feed) and where it lives now.

    `source` is the key `blog.public.redirects.source_key` makes of a path and query; the
    public site consults the table only when it would answer 404 (and on `/?p=`).
    """

    __table_args__ = NEVER_REUSE_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(500), unique=True)
    target: so.Mapped[str] = so.mapped_column(sa.String(500))
    origin: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class ImportRecord(db.Model):
    """What an import made of one item of a foreign site, so a re-run changes nothing.

    Keyed by the source site's URL, the kind of item and its id there (a post, comment
    or author id, a term slug, an upload path); `digest` is a hash of the item as last
    imported, so a newer export updates exactly what changed.
    """

    __table_args__ = (sa.UniqueConstraint("source", "kind", "source_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    source_id: so.Mapped[str] = so.mapped_column(sa.String(300))
    local_id: so.Mapped[int | None] = so.mapped_column()
    local_ref: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    digest: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    imported_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Page(db.Model):
    __table_args__ = NEVER_REUSE_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    slug: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    body_source: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    body_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    in_footer: so.Mapped[bool] = so.mapped_column(default=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    # False: a draft, seen only in the admin (a WordPress page that was private,
    # password-protected or not yet published arrives so).
    published: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @classmethod
    def visible(cls) -> sa.Select[tuple[Page]]:
        """Pages readers may see, in footer order."""
        return sa.select(cls).where(cls.published).order_by(cls.position, cls.title)


class Setting(db.Model):
    """One site setting as a JSON value; read through `blog.core.settings.get_settings()`."""

    key: so.Mapped[str] = so.mapped_column(sa.String(60), primary_key=True)
    value: so.Mapped[str] = so.mapped_column(sa.Text)


class SiteState(db.Model):
    """A single row of counters that every worker reads to know when caches are stale.

    `version` goes up (in SQL) on every change to content or settings, and
    `comments_version` on every change to what readers see of comments; what moves
    which is decided by blog/core/cache/invalidation.py from what a transaction writes.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version: so.Mapped[int] = so.mapped_column(default=1)
    comments_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # The earliest future published_at of a published article: when it passes, the
    # first request moves `version` (blog/core/cache/versions.py). NULL: nothing scheduled.
    next_publication_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class ThrottleEvent(db.Model):
    """One counted attempt (failed login, reset request, comment...) for rate limits.

    Kept in the database so the limits hold across every worker process.
    """

    __table_args__ = (sa.Index("ix_throttle_event_lookup", "kind", "key", "created_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    key: so.Mapped[str] = so.mapped_column(sa.String(300))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class UsedToken(db.Model):
    """Fingerprints of single-use tokens (password reset) already spent."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    digest: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class AuditLog(db.Model):
    __table_args__ = NEVER_REUSE_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    action: so.Mapped[str] = so.mapped_column(sa.String(60))
    object_type: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    object_id: so.Mapped[int | None] = so.mapped_column()
    detail: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: so.Mapped[User | None] = so.relationship()
