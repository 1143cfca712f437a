"""Comments on articles and readers' reports of them."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.core.types import UTCDateTime, utcnow
from blog.extensions import db
from blog.models.common import NEVER_REUSE_IDS
from blog.models.content import Article
from blog.models.people import User


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    REMOVED = "removed"


class Comment(db.Model):
    __table_args__ = (
        sa.Index("ix_comment_article_status", "article_id", "status"),
        NEVER_REUSE_IDS,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    article_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("article.id", ondelete="CASCADE"))
    # NULL once the author deleted their account: the comment stays, by "deleted user".
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    parent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    body_source: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    body_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=CommentStatus.PENDING)
    # The author deleted it but replies hang below: shown as "[deleted]".
    deleted: so.Mapped[bool] = so.mapped_column(default=False)
    report_count: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    edited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # An imported comment by someone without an account here (blog/importers/wordpress/): the name
    # is shown; the email is kept for moderation only and never shown.
    guest_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    guest_email: so.Mapped[str] = so.mapped_column(sa.String(254), default="", server_default="")
    # The imported commenter's website (WordPress's comment_author_url), linked from the
    # name with rel="nofollow ugc"; http and https only.
    guest_url: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    # The deeper comment a reply answered in an imported thread: replies here hang one
    # level deep, so this says "in reply to NAME" (None: it answers its top-level comment).
    reply_to_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("comment.id", ondelete="SET NULL"), index=True
    )

    # A digest of the comment form's signed start token (blog/comments/policy.py): the
    # same form posted twice (a 502 after the commit, a second press) makes one comment.
    idempotency_key: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)

    article: so.Mapped[Article] = so.relationship()
    author: so.Mapped[User | None] = so.relationship()
    parent: so.Mapped[Comment | None] = so.relationship(remote_side=[id], foreign_keys=[parent_id])

    @property
    def author_name(self) -> str:
        """The name shown above the comment."""
        if self.author is not None:
            return self.author.name
        return self.guest_name or "deleted user"

    @property
    def counts_as_visible(self) -> bool:
        """Whether this comment is in Article.comment_count."""
        return self.status == CommentStatus.APPROVED and not self.deleted


REPORT_KINDS = {
    "spam": "Spam or advertising",
    "abuse": "Abuse, harassment or hate",
    "off-topic": "Off-topic",
    "other": "Something else (say what)",
}


class CommentReport(db.Model):
    __table_args__ = (sa.UniqueConstraint("comment_id", "reporter_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    comment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"))
    reporter_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    # One of REPORT_KINDS; `reason` is the reader's own words (required for "other").
    kind: so.Mapped[str] = so.mapped_column(sa.String(20), default="other", server_default="other")
    reason: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    resolved: so.Mapped[bool] = so.mapped_column(default=False)
