"""Readers report a comment with a reason; enough weighty reports hide it until a
moderator decides.

A reader with a confirmed address reports a visible comment once (a unique constraint
holds it on every engine), at most REPORT_LIMIT reports per REPORT_WINDOW, choosing
spam, abuse, off-topic or other (other needs words). Every report reaches the
moderation queue, which lists the most reported comments first with every reason.

Reports hide a comment by their weight, not their number, so a handful of throwaway
accounts cannot silence anyone: when the weights of its open reports (`reporter_weight`)
add up to the `report_threshold` setting (3 by default; 0 turns it off) the comment goes
back to `pending`: nobody but its author sees it, it leaves the count, and it waits in
the queue. Three readers of a week's standing are enough; reporters new to the site
count for less, and those whose earlier reports moderators upheld count for more.
A comment by staff (author and above) is never hidden by reports alone: it waits in the
queue, visible, for a moderator. Approving a comment there answers its reports and
shows it again; spam or remove end it.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import flash, redirect, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from blog.comments.forms import ReportForm
from blog.comments.paging import comment_url
from blog.comments.queries import change_comment_count
from blog.core import throttle
from blog.core.cache.site import get_settings
from blog.core.database import writing
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, Comment, CommentReport, CommentStatus, Role, User

ALREADY = "You have already reported this comment. A moderator will look at it."
UNCONFIRMED = (
    "Please confirm your email address before reporting comments: open the link we "
    "mailed you, or ask for a new one on your account page."
)
# Reports one account may send in REPORT_WINDOW seconds: plenty for a reader, too few
# to send a thread to the queue.
REPORT_LIMIT = 10
REPORT_WINDOW = 3600
# What a report weighs (`reporter_weight`): by the age of the reporter's account ...
AGE_WEIGHTS = ((timedelta(days=1), 0.25), (timedelta(days=7), 0.5))
SETTLED_WEIGHT = 1.0
# ... plus this much for each earlier report a moderator upheld (spam or removed), up
# to UPHELD_MAX; halved when more earlier reports were turned down (approved) than upheld.
UPHELD_BONUS = 0.25
UPHELD_MAX = 1.0


def reporter_weight(
    created_at: datetime, confirmed: bool, upheld: int, rejected: int, now: datetime
) -> float:
    """How much one reader's report counts towards hiding a comment (see the module
    docstring): 0 without a confirmed address, 0.25 in the account's first day, 0.5 in
    its first week, else 1; plus UPHELD_BONUS per upheld report (at most UPHELD_MAX),
    and halved when more of their reports were turned down than upheld."""
    if not confirmed:
        return 0.0
    age = now - created_at
    weight = next((w for younger, w in AGE_WEIGHTS if age < younger), SETTLED_WEIGHT)
    weight += min(UPHELD_MAX, UPHELD_BONUS * upheld)
    if rejected > upheld:
        weight /= 2
    return weight


def open_report_weight(comment_id: int) -> float:
    """The summed weight of the open reports on a comment (two queries, whatever the
    number of reporters); a deleted reporter's report weighs nothing."""
    reporters = db.session.execute(
        sa.select(User.id, User.created_at, User.email_confirmed_at)
        .join(CommentReport, CommentReport.reporter_id == User.id)
        .where(CommentReport.comment_id == comment_id, sa.not_(CommentReport.resolved))
    ).all()
    if not reporters:
        return 0.0
    outcome = sa.case(
        (Comment.status.in_([CommentStatus.SPAM, CommentStatus.REMOVED]), "upheld"),
        (Comment.status == CommentStatus.APPROVED, "rejected"),
        else_="open",
    )
    record: dict[tuple[int, str], int] = {
        (reporter, kind): n
        for reporter, kind, n in db.session.execute(
            sa.select(CommentReport.reporter_id, outcome, sa.func.count())
            .join(Comment, Comment.id == CommentReport.comment_id)
            .where(
                CommentReport.reporter_id.in_([r.id for r in reporters]),
                CommentReport.resolved,
            )
            .group_by(CommentReport.reporter_id, outcome)
        )
    }
    now = utcnow()
    return sum(
        reporter_weight(r.created_at, r.email_confirmed_at is not None,
                        record.get((r.id, "upheld"), 0), record.get((r.id, "rejected"), 0), now)
        for r in reporters
    )  # fmt: skip


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

    def page(status: int) -> tuple[str, int]:
        return render_template(
            "comments/report.html", form=form, comment=comment, article=article, back=back_url
        ), status

    if not current_user.email_confirmed:
        form.form_errors.append(UNCONFIRMED)
        return page(403)
    if not form.is_submitted():
        return page(200)
    if not form.validate():
        return page(400)
    key = f"user:{current_user.id}"
    wait = throttle.retry_after("report", key, REPORT_WINDOW, REPORT_LIMIT)
    if wait:
        form.form_errors.append(
            "You have sent many reports in the last hour. Please wait "
            f"{throttle.describe_wait(wait)}; moderators are looking at the others."
        )
        return page(429)
    limit = threshold()
    staff = comment.author is not None and comment.author.role >= Role.AUTHOR

    with writing() as write:
        already = db.session.scalar(
            sa.select(CommentReport.id)
            .where(
                CommentReport.comment_id == comment.id,
                CommentReport.reporter_id == current_user.id,
            )
            .limit(1)
        )
        if already is not None:
            write.refuse(ALREADY)
        db.session.add(
            CommentReport(
                comment_id=comment.id,
                reporter_id=current_user.id,
                kind=form.kind.data,
                reason=(form.reason.data or "")[:500],
            )
        )
        try:
            db.session.flush()  # before weighing, so the new report is weighed too
        except sa.exc.IntegrityError:
            # Another request by the same reader won the race (engines without BEGIN IMMEDIATE).
            write.refuse(ALREADY)
        throttle.hit("report", key)
        status = db.session.execute(
            sa.update(Comment)
            .where(Comment.id == comment.id)
            .values(report_count=Comment.report_count + 1)
            .returning(Comment.status)
        ).scalar_one()
        hidden = (
            bool(limit)
            and not staff
            and status == CommentStatus.APPROVED
            and open_report_weight(comment.id) >= limit
        )
        if hidden:
            db.session.execute(
                sa.update(Comment)
                .where(Comment.id == comment.id)
                .values(status=CommentStatus.PENDING)
            )
            if not comment.deleted:
                change_comment_count(comment.article_id, -1)
        db.session.commit()
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
