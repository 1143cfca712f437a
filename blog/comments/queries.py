"""Queries about comments that several views share."""

import sqlalchemy as sa
from flask import abort

from blog.extensions import db
from blog.models import Article, Comment, CommentStatus


def public_article(slug: str) -> Article | None:
    """The public (published, not scheduled) article with this slug, else None."""
    return db.session.scalar(
        sa.select(Article).where(Article.slug == slug, Article.is_public_clause())
    )


def public_article_or_404(slug: str) -> Article:
    """The public (published, not scheduled) article with this slug; aborts 404 otherwise."""
    article = public_article(slug)
    if article is None:
        abort(404)
    return article


def seen_by(comment: Comment | None, user_id: int | None) -> bool:
    """Whether a visitor (`user_id` None when anonymous) may know `comment` exists: an
    approved comment on a public article, or their own not deleted one.

    Everything else answers 404 alike, so stepping through ids tells nobody which held
    or removed comments exist, nor (by a login redirect) a draft article's address.
    """
    if comment is None or comment.deleted:
        return False
    if user_id is not None and comment.author_id == user_id:
        return True
    return comment.status == CommentStatus.APPROVED and comment.article.is_public


def has_replies(comment: Comment) -> bool:
    """Whether any comment (whatever its status) replies to `comment`."""
    return bool(db.session.scalar(sa.select(sa.exists().where(Comment.parent_id == comment.id))))


def change_comment_count(article_id: int, delta: int) -> None:
    """Add `delta` to Article.comment_count in SQL (never read and rewritten in Python)."""
    db.session.execute(Article.comment_count_change(article_id, delta))
