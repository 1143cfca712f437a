"""Queries about comments that several views share."""

import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Comment


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
