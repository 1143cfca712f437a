"""Queries about comments that several views share."""

from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.extensions import db
from blog.models import Article, Comment, CommentStatus


@dataclass
class ThreadItem:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def thread(article: Article, viewer=None) -> list[ThreadItem]:
    """Top-level comments of an article, oldest first, each with its replies.

    Shows approved comments to everyone, plus the viewer's own held ones (marked
    "awaiting moderation" by the template). A deleted comment appears as a "[deleted]"
    placeholder only while it still has a visible reply. One query whatever the number
    of comments (authors are joined in).
    """
    visible = Comment.status == CommentStatus.APPROVED
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        visible = sa.or_(
            visible,
            sa.and_(Comment.author_id == viewer.id, Comment.status == CommentStatus.PENDING),
        )
    rows = db.session.scalars(
        sa.select(Comment)
        .where(Comment.article_id == article.id, visible)
        .options(so.joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    items: dict[int, ThreadItem] = {}
    orphans: list[Comment] = []
    for c in rows:
        if c.parent_id is None:
            items[c.id] = ThreadItem(c)
        else:
            orphans.append(c)
    for c in orphans:
        if c.parent_id in items and not c.deleted:
            items[c.parent_id].replies.append(c)
    return [item for item in items.values() if not item.comment.deleted or item.replies]


def public_article_or_404(slug: str) -> Article:
    """The public (published, not scheduled) article with this slug; aborts 404 otherwise."""
    return db.first_or_404(
        sa.select(Article).where(Article.slug == slug, Article.is_public_clause())
    )


def has_replies(comment: Comment) -> bool:
    """Whether any comment (whatever its status) replies to `comment`."""
    return bool(db.session.scalar(sa.select(sa.exists().where(Comment.parent_id == comment.id))))


def change_comment_count(article_id: int, delta: int) -> None:
    """Add `delta` to Article.comment_count in SQL (never read and rewritten in Python)."""
    db.session.execute(Article.comment_count_change(article_id, delta))
