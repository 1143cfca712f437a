"""Admin: comment moderation (queue, search, approve/spam/remove/restore, bulk, blocking).

Article.comment_count counts approved, not deleted comments; every status change moves
it with an SQL increment in the same transaction, so concurrent moderators and
commenters never lose a count.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from blog.admin.common import area, paginate, reported_clause
from blog.comments.api import reply_became_visible
from blog.core.audit import record
from blog.core.content import clean_text
from blog.core.database import reread, writing
from blog.core.urls import safe_next
from blog.extensions import db
from blog.models import REPORT_KINDS, Article, Comment, CommentReport, CommentStatus, Role, User

bp = area("comments", __name__, Role.EDITOR)

ACTIONS = {
    "approve": CommentStatus.APPROVED,
    "restore": CommentStatus.APPROVED,
    "spam": CommentStatus.SPAM,
    "remove": CommentStatus.REMOVED,
}
ACTION_DONE = {"approve": "approved", "restore": "restored", "spam": "marked as spam",
               "remove": "removed"}  # fmt: skip
VIEWS = ("queue", "all")
MAX_BULK = 200


def safe_back(default: str) -> str:
    """The posted `next` path if it is on this site, else `default`.

    Uses auth's safe_next, which also refuses tabs and newlines: browsers drop them,
    so "/<TAB>/evil.example" would leave the site, and a newline in a header is a 500.
    """
    return safe_next(request.form.get("next", "")) or default


@bp.get("/comments")
def comments() -> str:
    view = request.args.get("view", "queue")
    if view not in VIEWS:
        view = "queue"
    status = request.args.get("status", "")
    q = clean_text(request.args.get("q", "")).strip()[:100]
    query = (
        sa.select(Comment)
        .join(Comment.article)
        .outerjoin(Comment.author)
        .options(so.contains_eager(Comment.article), so.contains_eager(Comment.author))
    )
    if view == "queue":
        query = query.where(sa.or_(Comment.status == CommentStatus.PENDING, reported_clause()))
    if status in set(CommentStatus):
        query = query.where(Comment.status == status)
    if q:
        query = query.where(
            sa.or_(
                Article.title.icontains(q, autoescape=True),
                User.username.contains(q.lower(), autoescape=True),
            )
        )
    newest = (Comment.created_at.desc(), Comment.id.desc())
    # The queue puts the most reported first (open reports: a decision resets the count).
    order = (Comment.report_count.desc(), *newest) if view == "queue" else newest
    pager = paginate(query.order_by(*order))
    ids = [c.id for c in pager.items]
    reports: dict[int, list[CommentReport]] = {}
    if ids:
        for report in db.session.scalars(
            sa.select(CommentReport)
            .where(CommentReport.comment_id.in_(ids), sa.not_(CommentReport.resolved))
            .order_by(CommentReport.created_at)
        ):
            reports.setdefault(report.comment_id, []).append(report)
    return render_template(
        "admin/comments.html",
        pager=pager,
        view=view,
        status=status,
        q=q,
        reports=reports,
        statuses=list(CommentStatus),
        kinds=REPORT_KINDS,
    )


def moderate(comment: Comment, action: str) -> bool:
    """Apply one action inside the write transaction; False when nothing changed."""
    new_status = ACTIONS[action]
    was_visible = comment.counts_as_visible
    changed = comment.status != new_status
    comment.status = new_status
    comment.report_count = 0  # counts open reports, and this decision answers them all
    # A moderator's decision answers every open report on the comment.
    resolved = db.session.execute(
        sa.update(CommentReport)
        .where(CommentReport.comment_id == comment.id, sa.not_(CommentReport.resolved))
        .values(resolved=True)
    ).rowcount
    delta = int(comment.counts_as_visible) - int(was_visible)
    if delta:
        db.session.execute(Article.comment_count_change(comment.article_id, delta))
    if delta > 0:
        reply_became_visible(comment)  # once per reply, however often it is shown again
    if changed or resolved:
        record(f"comment.{action}", comment, f"on article {comment.article_id}")
    return bool(changed or resolved)


@bp.post("/comments/<int:comment_id>/<any(approve, spam, remove, restore):action>")
def moderate_comment(comment_id: int, action: str) -> Response:
    with writing():
        comment = db.get_or_404(Comment, comment_id)
        moderate(comment, action)
        db.session.commit()
    flash(f"Comment {ACTION_DONE[action]}.", "success")
    return redirect(safe_back(url_for("admin.comments.comments")), 303)


@bp.post("/comments/bulk")
def bulk_comments() -> Response:
    action = request.form.get("action", "")
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()][:MAX_BULK]
    back = safe_back(url_for("admin.comments.comments"))
    if action not in ACTIONS:
        flash("Choose what to do with the selected comments.", "error")
        return redirect(back, 303)
    if not ids:
        flash("Select at least one comment.", "error")
        return redirect(back, 303)
    with writing():
        changed = 0
        for comment in db.session.scalars(sa.select(Comment).where(Comment.id.in_(ids))):
            changed += moderate(comment, action)
        db.session.commit()
    flash(f"{changed} comment{'s' if changed != 1 else ''} {ACTION_DONE[action]}.", "success")
    return redirect(back, 303)


def blockable_or_403(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id or (user.role >= current_user.role and not current_user.is_admin):
        abort(403)
    return user


@bp.post("/comments/block/<int:user_id>")
def block_commenter(user_id: int) -> Response:
    user = blockable_or_403(user_id)
    with writing():
        reread(user)
        if user.can_comment:
            user.can_comment = False
            record("user.block_comments", user, user.username)
        db.session.commit()
    flash(f"{user.username} can no longer comment.", "success")
    return redirect(safe_back(url_for("admin.comments.comments")), 303)


@bp.post("/comments/unblock/<int:user_id>")
def unblock_commenter(user_id: int) -> Response:
    user = blockable_or_403(user_id)
    with writing():
        reread(user)
        if not user.can_comment:
            user.can_comment = True
            record("user.unblock_comments", user, user.username)
        db.session.commit()
    flash(f"{user.username} may comment again.", "success")
    return redirect(safe_back(url_for("admin.comments.comments")), 303)
