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


def thread(article: Article, viewer=None) -> list[ThreadItem]:  # noqa: ANN001
    """Top-level comments of an article, oldest first, each with its replies.

    Shows approved comments to everyone, plus the viewer's own held ones (marked
    "awaiting moderation" by the template). Two queries whatever the number of comments.
    """
    visible = Comment.status == CommentStatus.APPROVED
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        visible = sa.or_(
            visible, sa.and_(Comment.author_id == viewer.id, Comment.status == CommentStatus.PENDING)
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
        if c.parent_id in items:
            items[c.parent_id].replies.append(c)
    return list(items.values())
