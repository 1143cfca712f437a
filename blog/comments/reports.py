"""Readers report a comment with a reason; enough reports hide it until a moderator decides.

A reader reports a visible comment once (a unique constraint holds it on every
engine), choosing spam, abuse, off-topic or other (other needs words). When the
`report_threshold` setting (3 by default; 0 turns it off) is reached the comment goes
back to `pending`: nobody but its author sees it, it leaves the count, and it waits in
the moderation queue, which lists the most reported comments first with every reason.
Approving it there answers the reports and shows it again; spam or remove end it.
"""

import sqlalchemy as sa
from flask import flash, redirect, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from blog.comments.forms import ReportForm
from blog.comments.paging import comment_url
from blog.comments.queries import change_comment_count
from blog.core.cache.site import get_settings
from blog.core.database import writing
from blog.extensions import db
from blog.models import Article, Comment, CommentReport, CommentStatus

ALREADY = "You have already reported this comment. A moderator will look at it."


def threshold() -> int:
    try:
        return max(0, int(get_settings().get("report_threshold", 3)))
    except (TypeError, ValueError):
        return 3


def report_page(comment: Comment, article: Article) -> Response | tuple[str, int]:
    """GET shows the form; POST stores the report (or gives the form back with why not)."""
    back_url = comment_url(comment, article.slug, current_user.id)
    back = redirect(back_url)
    if comment.author_id == current_user.id:
        flash("You cannot report your own comment; you can edit or delete it.", "info")
        return back
    form = ReportForm()
    if not form.is_submitted():
        return render_template(
            "comments/report.html", form=form, comment=comment, article=article, back=back_url
        ), 200
    if not form.validate():
        return render_template(
            "comments/report.html", form=form, comment=comment, article=article, back=back_url
        ), 400
    limit = threshold()

    with writing() as write:
        already = db.session.scalar(
            sa.select(
                sa.exists().where(
                    CommentReport.comment_id == comment.id,
                    CommentReport.reporter_id == current_user.id,
                )
            )
        )
        if already:
            write.refuse(ALREADY)
        db.session.add(
            CommentReport(
                comment_id=comment.id,
                reporter_id=current_user.id,
                kind=form.kind.data,
                reason=(form.reason.data or "")[:500],
            )
        )
        count = db.session.execute(
            sa.update(Comment)
            .where(Comment.id == comment.id)
            .values(report_count=Comment.report_count + 1)
            .returning(Comment.report_count, Comment.status)
        ).one()
        hidden = (
            bool(limit) and count.report_count >= limit and count.status == CommentStatus.APPROVED
        )
        if hidden:
            db.session.execute(
                sa.update(Comment)
                .where(Comment.id == comment.id)
                .values(status=CommentStatus.PENDING)
            )
            if not comment.deleted:
                change_comment_count(comment.article_id, -1)
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            # Another request by the same reader won the race (engines without BEGIN IMMEDIATE).
            write.refuse(ALREADY)
    if write.refused:
        flash(write.refused.message, "info")
        return back
    if hidden:
        flash(
            "Thank you. Several readers reported this comment, so it is hidden until a "
            "moderator has looked at it.",
            "success",
        )
        return redirect(comment_url(comment, article.slug, None))
    flash("Thank you. A moderator will review this comment.", "success")
    return back
