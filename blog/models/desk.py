"""The editorial desk: who has an article open, autosaved drafts of a draft, notes, assignments.

Both are staff-only and never reach a public page, feed, export, search or the page cache.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.core.types import UTCDateTime, utcnow
from blog.extensions import db
from blog.models.people import User


class EditorPresence(db.Model):
    """One staff member with one article's editor open: `since` they opened it, `seen_at`
    their browser's last heartbeat. A warning for colleagues, never a lock."""

    __table_args__ = (sa.UniqueConstraint("article_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    article_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    since: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    user: so.Mapped[User] = so.relationship()


class ArticleAutosave(db.Model):
    """What one staff member last typed into one article's editor, saved every 30 s
    without making a version; offered back when they reopen the editor."""

    __table_args__ = (sa.UniqueConstraint("article_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    article_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    title: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    body_source: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The version the editor was opened from: a restored autosave carries it back into the
    # form, so saving it over a colleague's later save shows the conflict page.
    base_version: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    saved_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class ArticleNote(db.Model):
    """A staff member's note on an article: a thread is a note and its replies (one
    level). Never published; kept when the article is published, gone when it is deleted."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    article_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    parent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("article_note.id", ondelete="CASCADE"), index=True
    )
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    resolved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    resolved_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    author: so.Mapped[User | None] = so.relationship(foreign_keys=[author_id])
    resolved_by: so.Mapped[User | None] = so.relationship(foreign_keys=[resolved_by_id])


class ArticleAssignment(db.Model):
    """Who is to work on an article next (a writer, an editor) and by when; one per
    article. Staff-only: the calendar and "my work" read it, no public page does."""

    article_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
    )
    assignee_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    due_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    assigned_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignee: so.Mapped[User | None] = so.relationship(foreign_keys=[assignee_id])
