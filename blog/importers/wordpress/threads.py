"""Imported comments as prepared from the export, and the recount after an import.

They are written by `Store.write_comments`: one level of replies here, however deep
the thread was there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Comment, CommentStatus


@dataclass
class PreparedComment:
    wp_id: str
    parent_wp: str
    user_wp: str
    status: str
    body_source: str
    body_html: str
    created_at: datetime
    guest_name: str
    guest_email: str
    digest: str


def recount(article_ids: Iterable[int]) -> None:
    """comment_count from the rows (an import writes many at once); updated_at kept."""
    visible = (
        sa.select(sa.func.count(Comment.id))
        .where(
            Comment.article_id == Article.id,
            Comment.status == CommentStatus.APPROVED,
            Comment.deleted.is_(False),
        )
        .scalar_subquery()
    )
    db.session.execute(
        sa.update(Article)
        .where(Article.id.in_(list(article_ids)))
        .values(comment_count=visible, updated_at=Article.updated_at)
    )
