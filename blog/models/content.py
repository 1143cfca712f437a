"""Content: articles, their versions and old slugs, categories, tags and uploads."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.core.types import UTCDateTime, utcnow
from blog.extensions import db
from blog.models.common import NEVER_REUSE_IDS
from blog.models.people import User


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    PUBLISHED = "published"


class Category(db.Model):
    __table_args__ = NEVER_REUSE_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    position: so.Mapped[int] = so.mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"

    @classmethod
    def ordered(cls) -> sa.Select[tuple[Category]]:
        return sa.select(cls).order_by(cls.position, cls.name)


article_tag = sa.Table(
    "article_tag",
    db.metadata,
    sa.Column("article_id", sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
    # A tag's articles, newest ids first, straight from the index (tag pages, related).
    sa.Index("ix_article_tag_tag_article", "tag_id", "article_id"),
)


class Tag(db.Model):
    __table_args__ = NEVER_REUSE_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    # Shown under the tag page's heading; WordPress's tag description comes here.
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")

    def __repr__(self) -> str:
        return f"<Tag {self.slug}>"


class Upload(db.Model):
    """An image uploaded through the admin, re-encoded and stored under instance/uploads/."""

    __table_args__ = NEVER_REUSE_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    thumb_filename: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    content_type: so.Mapped[str] = so.mapped_column(sa.String(40))
    width: so.Mapped[int] = so.mapped_column(default=0)
    height: so.Mapped[int] = so.mapped_column(default=0)
    # Widths of the resized variants, the full width last ("480,960,1200"); see uploads.py.
    variant_widths: so.Mapped[str] = so.mapped_column(sa.String(60), default="", server_default="")
    # False while a large image waits for `blog worker` to re-encode it (core/imagework.py);
    # `problem` says why the worker refused one, for the library to show.
    ready: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    problem: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    uploader_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Article(db.Model):
    # Every public list filters on status and published_at and sorts by published_at:
    # the home page by themselves, category and author pages after their own column.
    __table_args__ = (
        sa.Index("ix_article_status_published_at", "status", "published_at"),
        sa.Index("ix_article_category_listing", "category_id", "status", "published_at"),
        sa.Index("ix_article_author_listing", "author_id", "status", "published_at"),
        NEVER_REUSE_IDS,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    slug: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    body_source: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    body_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=ArticleStatus.DRAFT)
    published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    category_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("category.id"))
    # Either an uploaded image or a path to an image shipped in blog/static (demo content).
    image_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("upload.id", ondelete="SET NULL")
    )
    image_path: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    image_alt: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    comments_open: so.Mapped[bool] = so.mapped_column(default=True)
    # The newsroom's donation appeal at the end of the article (an editor may turn it off).
    donation_appeal: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    reading_time: so.Mapped[int] = so.mapped_column(default=1)
    # Approved, not deleted comments; kept by SQL increments (`SET n = n + 1`) so lists
    # show counts without a query per article and concurrent writers lose nothing.
    comment_count: so.Mapped[int] = so.mapped_column(default=0)

    author: so.Mapped[User | None] = so.relationship()
    category: so.Mapped[Category] = so.relationship()
    image: so.Mapped[Upload | None] = so.relationship()
    tags: so.Mapped[list[Tag]] = so.relationship(
        secondary=article_tag, order_by="Tag.name", backref=so.backref("articles", lazy="dynamic")
    )

    def __repr__(self) -> str:
        return f"<Article {self.slug}>"

    @classmethod
    def published(cls) -> sa.Select[tuple[Article]]:
        """Public articles, newest first; the id breaks ties so pages never overlap.

        A published article whose published_at is in the future is "scheduled": it
        becomes public by itself when the time passes, with no cron job.
        """
        return (
            sa.select(cls)
            .where(cls.is_public_clause())
            .order_by(cls.published_at.desc(), cls.id.desc())
        )

    @classmethod
    def is_public_clause(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.status == ArticleStatus.PUBLISHED, cls.published_at <= utcnow())

    @classmethod
    def listing(cls) -> sa.Select[tuple[Article]]:
        """`published()` with what every list shows loaded eagerly (no query per row)."""
        return cls.published().options(
            so.joinedload(cls.author),
            so.joinedload(cls.category),
            so.joinedload(cls.image),
            so.selectinload(cls.tags),
        )

    @classmethod
    def comment_count_change(cls, article_id: int, delta: int) -> sa.Update:
        """The SQL increment of comment_count (never read and rewritten in Python).

        It keeps updated_at as it is: a new comment does not make the article
        "updated" for readers, feeds or the sitemap.
        """
        return (
            sa.update(cls)
            .where(cls.id == article_id)
            .values(comment_count=cls.comment_count + delta, updated_at=cls.updated_at)
        )

    @property
    def is_public(self) -> bool:
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= utcnow()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at > utcnow()
        )

    @property
    def display_status(self) -> str:
        return "scheduled" if self.is_scheduled else self.status


class ArticleVersion(db.Model):
    """The article as it was before one save; the editor can list and restore them."""

    __table_args__ = NEVER_REUSE_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    article_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    body_source: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    editor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    editor: so.Mapped[User | None] = so.relationship()


class SlugRedirect(db.Model):
    """An article's former slug, answered with a 301 to its current URL."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    old_slug: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    article_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("article.id", ondelete="CASCADE"))

    article: so.Mapped[Article] = so.relationship()
