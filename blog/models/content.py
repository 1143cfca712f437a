"""Content: articles, their versions and old slugs, categories, tags and uploads; the
guest contributors and ordered bylines that credit people, and correction notes."""

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


class MediaFile(db.Model):
    """An audio, video or document file (mp3, mov, PDF...) under instance/uploads/,
    checked by its signature (blog/core/media.py); `sha256` makes a second copy of the
    same bytes the same file."""

    __table_args__ = NEVER_REUSE_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    content_type: so.Mapped[str] = so.mapped_column(sa.String(60))
    byte_size: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    # The name it came with (`talk.mp3`), shown in the library; never used on disk.
    original_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
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
    # What kind of piece it is ("Opinion", "Sponsored", ...; blog/trust/labels.py) and
    # where it was reported from, shown with the date.
    label: so.Mapped[str] = so.mapped_column(sa.String(40), default="", server_default="")
    dateline: so.Mapped[str] = so.mapped_column(sa.String(80), default="", server_default="")
    # The featured image's focal point, in percent across and down: its 16:9, 4:3 and
    # 1:1 crops are centred on it as far as the picture allows (blog/trust/crops.py).
    image_focus_x: so.Mapped[int] = so.mapped_column(
        sa.SmallInteger, default=50, server_default="50"
    )
    image_focus_y: so.Mapped[int] = so.mapped_column(
        sa.SmallInteger, default=50, server_default="50"
    )
    # "Republish this story": others may copy it under the license in settings.
    republishable: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    author: so.Mapped[User | None] = so.relationship()
    category: so.Mapped[Category] = so.relationship()
    image: so.Mapped[Upload | None] = so.relationship()
    tags: so.Mapped[list[Tag]] = so.relationship(
        secondary=article_tag, order_by="Tag.name", backref=so.backref("articles", lazy="dynamic")
    )
    # The people credited, in order (below); empty: the author alone.
    bylines: so.Mapped[list[ArticleByline]] = so.relationship(
        order_by="ArticleByline.position", cascade="all, delete-orphan", passive_deletes=True
    )
    corrections: so.Mapped[list[ArticleCorrection]] = so.relationship(
        order_by="ArticleCorrection.created_at.desc()", viewonly=True
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
            so.selectinload(cls.bylines).options(
                so.joinedload(ArticleByline.user), so.joinedload(ArticleByline.guest)
            ),
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

    @property
    def credits(self) -> list[User | GuestAuthor]:
        """The people the byline names, in order: the bylines set, else the author."""
        people = [b.person for b in self.bylines if b.person is not None]
        if people:
            return people
        return [self.author] if self.author is not None else []


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


# ---------------------------------------------------------------- trust (issue 26)


class GuestAuthor(db.Model):
    """A contributor credited on articles without an account (a freelancer, a partner
    outlet): a public profile at /contributors/<slug>, and no login."""

    __table_args__ = NEVER_REUSE_IDS
    is_guest = True

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    bio: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    photo_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("upload.id", ondelete="SET NULL")
    )
    # Links to the contributor's own pages, one http(s) URL a line.
    links: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # "@name@server.example", for <meta name="fediverse:creator">.
    fediverse: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    photo: so.Mapped[Upload | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<GuestAuthor {self.slug}>"

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class ArticleByline(db.Model):
    """One person credited on an article, at `position` (0 first): a staff account or
    a guest contributor, never both. An article without bylines credits its author."""

    __table_args__ = (
        sa.UniqueConstraint("article_id", "position"),
        sa.CheckConstraint("(user_id IS NULL) <> (guest_id IS NULL)", name="one_person"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    article_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("article.id", ondelete="CASCADE"))
    position: so.Mapped[int] = so.mapped_column(default=0)
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    guest_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("guest_author.id", ondelete="CASCADE"), index=True
    )

    user: so.Mapped[User | None] = so.relationship()
    guest: so.Mapped[GuestAuthor | None] = so.relationship()

    @property
    def person(self) -> User | GuestAuthor | None:
        return self.user if self.user_id is not None else self.guest


class NoteKind(enum.StrEnum):
    CORRECTION = "correction"
    CLARIFICATION = "clarification"
    UPDATE = "update"


class ArticleCorrection(db.Model):
    """A dated correction, clarification or update shown on a published article.

    Removing one is an audited act (blog/trust/corrections.py): the audit log keeps its text.
    """

    __table_args__ = (
        sa.Index("ix_article_correction_created_at", "created_at"),
        NEVER_REUSE_IDS,
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    article_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(20), default=NoteKind.CORRECTION)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    editor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    article: so.Mapped[Article] = so.relationship()
    editor: so.Mapped[User | None] = so.relationship()


class RepublishCount(db.Model):
    """Views of a republished copy of an article, per republishing site (the host its
    counting pixel was loaded from). Nothing about the readers is kept."""

    __table_args__ = (sa.UniqueConstraint("article_id", "site"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    article_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("article.id", ondelete="CASCADE"))
    site: so.Mapped[str] = so.mapped_column(sa.String(255))
    views: so.Mapped[int] = so.mapped_column(default=0)
    first_seen: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_seen: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    article: so.Mapped[Article] = so.relationship()
