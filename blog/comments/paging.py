"""Threads in pages: which top-level comments a page of an article's thread shows,
and on which page a given comment lives.

A page holds `comments_per_page` (a setting, 50 by default) top-level comments, each
with all of its visible replies (one level deep, always oldest first), so a story with
thousands of comments costs the same per page as one with fifty. Top-level comments
run oldest first, or newest first with `?order=newest`; pages are `?comments=N`.
A page costs two statements whatever the size of the thread: the counts (with the
newest comment's id), then the page of top-level comments with their replies.

Visibility is one rule for counting, paging and permalinks: approved comments for
everyone, plus the viewer's own held ones; a deleted top-level comment stays as a
"[deleted]" placeholder only while a visible reply hangs below it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, request, url_for

from blog.core.cache.site import get_settings
from blog.core.pagination import current_page
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus

ORDERS = ("oldest", "newest")


@dataclass
class ThreadItem:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)

    @property
    def names(self) -> dict[int, str]:
        """Who wrote each shown comment of this item, for "in reply to NAME" (an
        imported reply's `reply_to_id` is always a reply of the same top-level comment)."""
        return {c.id: c.author_name for c in self.replies}


@dataclass
class ThreadPage:
    """One page of a thread and what its navigation needs."""

    items: list[ThreadItem]
    page: int
    per_page: int
    total: int  # top-level comments (placeholders with replies included)
    order: str
    comment_count: int = 0  # Article.comment_count: every visible comment, all pages
    newest_id: int | None = None  # "Jump to the newest comment"

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def per_page() -> int:
    try:
        return max(5, min(500, int(get_settings()["comments_per_page"])))
    except (KeyError, TypeError, ValueError):
        return 50


def requested() -> tuple[int, str]:
    """`?comments=N` and `?order=` of this request; aborts 404 on a malformed page.

    An unknown order reads as the default, oldest first.
    """
    order = request.args.get("order", "oldest")
    return current_page("comments"), order if order in ORDERS else "oldest"


def _visible(viewer_id: int | None) -> sa.ColumnElement[bool]:
    approved = Comment.status == CommentStatus.APPROVED
    if viewer_id is None:
        return approved
    return sa.or_(
        approved, sa.and_(Comment.author_id == viewer_id, Comment.status == CommentStatus.PENDING)
    )


def _top_level(article_id: int, viewer_id: int | None) -> sa.ColumnElement[bool]:
    reply = so.aliased(Comment)
    visible_reply = (
        sa.exists()
        .where(reply.parent_id == Comment.id, sa.not_(reply.deleted))
        .where(
            sa.or_(
                reply.status == CommentStatus.APPROVED,
                sa.and_(reply.author_id == viewer_id, reply.status == CommentStatus.PENDING)
                if viewer_id is not None
                else sa.false(),
            )
        )
    )
    return sa.and_(
        Comment.article_id == article_id,
        Comment.parent_id.is_(None),
        _visible(viewer_id),
        sa.or_(sa.not_(Comment.deleted), visible_reply),
    )


def thread_page(
    article: Article, page: int, order: str, viewer_id: int | None = None
) -> ThreadPage:
    """Page `page` of the thread as `viewer_id` (None: anonymous) sees it.

    Aborts 404 for a page past the last (page 1 always exists, even with no comments).
    Two statements: the counts and the newest comment, then the page with its replies.
    """
    size = per_page()
    where = _top_level(article.id, viewer_id)
    stats = db.session.execute(
        sa.select(
            sa.select(sa.func.count(Comment.id)).where(where).scalar_subquery(),
            sa.select(Article.comment_count).where(Article.id == article.id).scalar_subquery(),
            _newest(article.id).scalar_subquery(),
        )
    ).one()
    total = stats[0] or 0
    if page > 1 and (page - 1) * size >= total:
        abort(404)
    key = (Comment.created_at, Comment.id)
    top_ids = (
        sa.select(Comment.id)
        .where(where)
        .order_by(*(k.desc() for k in key) if order == "newest" else key)
        .limit(size)
        .offset((page - 1) * size)
        .correlate(None)  # its own `comment`, not the outer query's
    ).scalar_subquery()
    rows = db.session.scalars(
        sa.select(Comment)
        .where(
            sa.or_(
                Comment.id.in_(top_ids),
                sa.and_(
                    Comment.parent_id.in_(top_ids), _visible(viewer_id), sa.not_(Comment.deleted)
                ),
            )
        )
        .options(so.joinedload(Comment.author))
        .order_by(*key)
    ).all()
    items = {c.id: ThreadItem(c) for c in rows if c.parent_id is None}
    for reply in rows:
        if reply.parent_id is not None:
            items[reply.parent_id].replies.append(reply)
    ordered = list(items.values())
    if order == "newest":
        ordered.reverse()
    return ThreadPage(ordered, page, size, total, order, stats[1] or 0, stats[2])


def page_of(comment: Comment, viewer_id: int | None = None) -> int | None:
    """The page (oldest first) that shows `comment`, or None if `viewer_id` cannot see it."""
    top = comment if comment.parent_id is None else db.session.get(Comment, comment.parent_id)
    if top is None:
        return None
    if comment is not top:
        own_pending = viewer_id is not None and comment.author_id == viewer_id
        if comment.deleted or not (
            comment.status == CommentStatus.APPROVED
            or (own_pending and comment.status == CommentStatus.PENDING)
        ):
            return None
    where = _top_level(comment.article_id, viewer_id)
    if not db.session.scalar(sa.select(sa.exists().where(where, Comment.id == top.id))):
        return None
    earlier = sa.or_(
        Comment.created_at < top.created_at,
        sa.and_(Comment.created_at == top.created_at, Comment.id < top.id),
    )
    before = db.session.scalar(sa.select(sa.func.count(Comment.id)).where(where, earlier)) or 0
    return before // per_page() + 1


def page_url(slug: str, page: int, order: str = "oldest", anchor: str | None = None) -> str:
    """The URL of one page of a thread; page 1 oldest first is the article's own URL."""
    args: dict[str, object] = {}
    if page > 1:
        args["comments"] = page
    if order != "oldest":
        args["order"] = order
    return url_for("public.article", slug=slug, _anchor=anchor, **args)


def comment_url(comment: Comment, slug: str, viewer_id: int | None = None) -> str:
    """Where comment `comment` is shown: its page of the thread and its anchor.

    Falls back to the article's comment area when the viewer cannot see it.
    """
    page = page_of(comment, viewer_id)
    if page is None:
        return page_url(slug, 1, anchor="comments")
    return page_url(slug, page, anchor=f"comment-{comment.id}")


def _newest(article_id: int) -> sa.Select:
    """The most recent visible comment (top level or reply) of an article."""
    return (
        sa.select(Comment.id)
        .where(
            Comment.article_id == article_id,
            Comment.status == CommentStatus.APPROVED,
            sa.not_(Comment.deleted),
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(1)
    )
