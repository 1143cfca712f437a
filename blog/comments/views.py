"""Views of the comments blueprint: post, reply, edit, delete, report and permalinks.

Every write follows blog.core.database's discipline: validate and render Markdown first,
then `with writing() as write:` (BEGIN IMMEDIATE on SQLite, so concurrent workers wait
instead of failing) around the queries of the write, counters changed in SQL, one commit.
A refused comment never loses its text: the form comes back with a 4xx status, the
text in the textarea and a sentence saying why.
"""

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from blog.comments import policy
from blog.comments.forms import CommentForm, EditCommentForm
from blog.comments.notify import reply_became_visible
from blog.comments.paging import comment_url
from blog.comments.queries import (
    change_comment_count,
    has_replies,
    public_article,
    public_article_or_404,
    seen_by,
)
from blog.comments.reports import report_page
from blog.core.content import clean_text, render_comment
from blog.core.database import reread, writing
from blog.core.errors import render_error
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus

bp = Blueprint("comments", __name__)
logger = logging.getLogger("blog.comments")

CLOSED = "Comments are closed for this article, so your comment was not posted."
CLOSED_REPLY = "Comments are closed for this article, so it takes no more replies."
CLOSED_EDIT = "Comments are closed for this article, so comments can no longer be edited."
NOT_ALLOWED = (
    "Your account is not allowed to post comments. "
    "Contact the editors if you think this is a mistake."
)
UNCONFIRMED = (
    "Please confirm your email address before commenting: open the link we emailed "
    "you (your account page can send it again). Your text is below."
)
HONEYPOT = "The field labelled “Leave this empty” must be left empty (it catches spam robots)."
ALREADY_POSTED = "This comment was already posted; here it is."
PARENT_GONE = "The comment you replied to no longer exists. You can post yours as a new comment."
CSRF_MESSAGE = (
    "Your session expired or the form was out of date, so nothing was posted. "
    "Your text is below: please submit it again."
)


@bp.app_template_global()
def comment_form_started() -> str:
    """The signed timestamp the comment forms carry (see policy.timing_problem)."""
    return policy.form_started_token(current_user if current_user.is_authenticated else None)


def article_url(article: Article, anchor: str | None = None) -> str:
    return url_for("public.article", slug=article.slug, _anchor=anchor)


def login_redirect(article: Article, anchor: str = "comments") -> Response:
    """Send an anonymous visitor to log in, coming back to the article's comments."""
    flash("Please log in to take part in the discussion.", "info")
    return redirect(url_for("auth.login", next=article_url(article, anchor)))


def refuse(
    article: Article,
    form: CommentForm | EditCommentForm,
    message: str,
    status: int,
    *,
    parent: Comment | None = None,
    comment: Comment | None = None,
) -> tuple[str, int]:
    """The comment form page again, with the text as typed and why it was refused."""
    return render_template(
        "comments/form.html",
        article=article,
        form=form,
        message=message,
        parent=parent,
        comment=comment,
    ), status


def find_parent(article: Article, raw: str | None) -> tuple[Comment | None, str | None]:
    """The comment a reply attaches to (one level deep), or why it cannot attach.

    Replying to a reply attaches to that reply's top-level comment.
    """
    if not raw:
        return None, None
    try:
        parent = db.session.get(Comment, int(raw))
    except (TypeError, ValueError):
        parent = None
    mine = parent is not None and parent.author_id == current_user.id
    if (
        parent is None
        or parent.article_id != article.id
        or not (parent.status == CommentStatus.APPROVED or mine)
    ):
        return None, PARENT_GONE
    if parent.parent_id is not None:
        parent = db.session.get(Comment, parent.parent_id)
        if parent is None:
            return None, PARENT_GONE
    return parent, None


@bp.post("/article/<slug>/comments")
def create(slug: str):
    article = public_article_or_404(slug)
    if not current_user.is_authenticated:
        return login_redirect(article)
    form = CommentForm()
    parent, parent_problem = find_parent(article, form.parent_id.data)
    if parent is not None:
        form.parent_id.data = str(parent.id)

    def no(message: str, status: int = 400) -> tuple[str, int]:
        return refuse(article, form, message, status, parent=parent)

    if not article.comments_open:
        return no(CLOSED, 403)
    may = policy.may_comment_state(current_user)
    if may == "muted":
        return no(NOT_ALLOWED, 403)
    if may == "unconfirmed":
        return no(UNCONFIRMED, 403)
    if not form.validate_on_submit():
        return no(form.body.errors[0] if form.body.errors else CSRF_MESSAGE)
    if form.website.data:
        return no(HONEYPOT)
    timing = policy.timing_problem(form.started.data, current_user)
    if timing:
        return no(timing)
    if parent_problem:
        form.parent_id.data = ""
        return no(parent_problem)

    source = clean_text(form.body.data).strip()
    html = render_comment(source)
    held_for_links = not current_user.can_write and policy.too_many_links(html)
    site_policy = policy.comment_policy()

    key = policy.idempotency_key(form.started.data, current_user, source)
    with writing() as write:
        first = policy.first_post(key)
        if first is not None:  # the same form again (a retry after a 502): one comment
            write.refuse(ALREADY_POSTED, 303, replayed=True)
        wait = policy.rate_limit_wait(current_user)
        if wait:
            write.refuse(
                "You are posting comments too quickly (at most "
                f"{current_app.config['COMMENT_MAX_PER_MINUTE']} a minute). Please wait "
                f"{wait} second{'s' if wait != 1 else ''} and submit again.",
                429,
                wait=wait,
            )
        status = policy.initial_status(
            current_user, held_for_links=held_for_links, policy=site_policy
        )
        comment = Comment(
            article_id=article.id,
            author_id=current_user.id,
            parent_id=parent.id if parent else None,
            body_source=source,
            body_html=html,
            status=status,
            idempotency_key=key,
        )
        db.session.add(comment)
        try:
            db.session.flush()
        except IntegrityError:
            # PostgreSQL: the same form's other POST committed while this one waited.
            if key is None:
                raise
            write.refuse(ALREADY_POSTED, 303, replayed=True)
        policy.record_post(current_user)
        if status == CommentStatus.APPROVED:
            change_comment_count(article.id, +1)
        if status == CommentStatus.APPROVED:
            reply_became_visible(comment)  # a job the worker runs, never mail from here
        comment_id = comment.id
        db.session.commit()
    first = (
        policy.first_post(key) if write.refused and write.refused.details.get("replayed") else None
    )
    if first is not None:
        flash(ALREADY_POSTED, "info")
        return redirect(comment_url(first, article.slug, current_user.id), 303)
    if write.refused and write.refused.details.get("replayed"):
        return no("Your comment could not be saved just now. Please submit it again.", 409)
    if write.refused:
        page, code = no(write.refused.message, write.refused.status)
        return page, code, {"Retry-After": str(write.refused.details["wait"])}

    if status == CommentStatus.APPROVED:
        flash("Your comment is posted.", "success")
    elif held_for_links:
        flash(
            "Your comment has several links, so it is awaiting moderation. "
            "Only you can see it until an editor approves it.",
            "info",
        )
    else:
        flash(
            "Thanks! Your comment is awaiting moderation. Only you can see it until "
            "an editor approves it.",
            "info",
        )
    return redirect(comment_url(db.session.get(Comment, comment_id), article.slug, current_user.id))


@bp.get("/comments/<int:comment_id>/reply")
def reply(comment_id: int) -> str | tuple[str, int] | Response:
    """The reply form under a quote of the comment it answers (the thread's Reply links).

    Replying to a reply answers its top-level comment, as the thread is one level deep.
    An anonymous visitor logs in first and comes back here.
    """
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    article = public_article_or_404(comment.article.slug)
    if not current_user.is_authenticated:
        flash("Please log in to take part in the discussion.", "info")
        return redirect(url_for("auth.login", next=url_for(".reply", comment_id=comment_id)))
    parent, problem = find_parent(article, str(comment_id))
    if parent is None:
        abort(404)
    if not article.comments_open:
        flash(CLOSED_REPLY, "info")
        return redirect(article_url(article, f"comment-{parent.id}"))
    form = CommentForm(parent_id=str(parent.id), started=comment_form_started())
    refused = {"muted": NOT_ALLOWED, "unconfirmed": UNCONFIRMED}.get(
        policy.may_comment_state(current_user)
    )
    if refused:
        return refuse(article, form, refused, 403, parent=parent)
    return render_template("comments/form.html", article=article, form=form, parent=parent)


@bp.get("/comments/<int:comment_id>")
def permalink(comment_id: int) -> Response:
    """A comment's lasting address: the page of its thread that shows it, at its anchor.

    404 for a comment the visitor cannot see (held, removed, or on a non-public article).
    """
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    article = public_article_or_404(comment.article.slug)
    viewer = current_user.id if current_user.is_authenticated else None
    target = comment_url(comment, article.slug, viewer)
    if target.endswith("#comments"):
        abort(404)
    return redirect(target)


def own_comment_or_abort(comment_id: int) -> Comment:
    """The current user's own, not deleted comment; 403 if it is someone else's visible
    comment, 404 if the user may not know it exists (`seen_by`)."""
    comment = db.session.get(Comment, comment_id)
    if not seen_by(comment, current_user.id):
        abort(404)
    if comment.author_id != current_user.id:
        abort(403)
    return comment


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    comment = own_comment_or_abort(comment_id)
    if comment.status not in (CommentStatus.APPROVED, CommentStatus.PENDING):
        abort(403)
    article = public_article_or_404(comment.article.slug)
    form = EditCommentForm(data={"body": comment.body_source} if request.method == "GET" else None)

    def no(message: str, status: int = 400) -> tuple[str, int]:
        return refuse(article, form, message, status, comment=comment)

    if request.method == "GET":
        if not article.comments_open:
            return no(CLOSED_EDIT, 403)
        return refuse(article, form, "", 200, comment=comment)
    if not article.comments_open:
        return no(CLOSED_EDIT, 403)
    if not current_user.can_comment:
        return no(NOT_ALLOWED, 403)
    if not form.validate_on_submit():
        return no(form.body.errors[0] if form.body.errors else CSRF_MESSAGE)

    source = clean_text(form.body.data).strip()
    html = render_comment(source)
    hold = not current_user.can_write and policy.too_many_links(html)

    with writing():
        reread(comment)
        if comment.deleted or comment.author_id != current_user.id:
            abort(404)
        comment.body_source = source
        comment.body_html = html
        comment.edited_at = utcnow()
        if hold and comment.status == CommentStatus.APPROVED:
            # Approved and then edited into link spam: back to the queue.
            comment.status = CommentStatus.PENDING
            change_comment_count(article.id, -1)
        db.session.commit()
    if hold:
        flash("Your comment now has several links, so it is awaiting moderation.", "info")
    else:
        flash("Your comment was updated.", "success")
    return redirect(comment_url(comment, article.slug, current_user.id))


@bp.post("/comments/<int:comment_id>/delete")
def delete(comment_id: int) -> Response:
    """Delete your own comment: the row goes, or a "[deleted]" placeholder stays while
    replies hang below it. Allowed even once comments are closed."""
    comment = db.session.get(Comment, comment_id)
    viewer = current_user.id if current_user.is_authenticated else None
    if not seen_by(comment, viewer):
        abort(404)
    if viewer is None:
        return login_redirect(comment.article, f"comment-{comment.id}")
    article = comment.article

    with writing():
        comment = db.session.get(Comment, comment_id, populate_existing=True)
        if comment is None or comment.deleted:
            abort(404)
        if comment.author_id != current_user.id:
            abort(403)
        counted = comment.counts_as_visible
        if has_replies(comment):
            comment.deleted = True
            comment.body_source = ""
            comment.body_html = ""
        else:
            parent = comment.parent
            db.session.delete(comment)
            db.session.flush()
            if parent is not None and parent.deleted and not has_replies(parent):
                # The last reply under a "[deleted]" placeholder: the placeholder goes too.
                db.session.delete(parent)
        if counted:
            change_comment_count(article.id, -1)
        db.session.commit()
    flash("Your comment was deleted.", "success")
    return redirect(article_url(article, "comments"))


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
def report(comment_id: int):  # noqa: ANN201
    """Report a visible comment to the moderators, once per reader, with a reason."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.deleted or comment.status != CommentStatus.APPROVED:
        abort(404)
    article = public_article_or_404(comment.article.slug)
    if not current_user.is_authenticated:
        return login_redirect(article, f"comment-{comment.id}")
    return report_page(comment, article)


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    """A comment refused for a missing or stale CSRF token comes back with its text."""
    if request.endpoint == "comments.create" and current_user.is_authenticated:
        # No abort() here: an exception inside an error handler is a 500.
        article = public_article((request.view_args or {}).get("slug", ""))
        if article is None:
            return render_error(NotFound())
        form = CommentForm(meta={"csrf": False})
        form.started.data = policy.form_started_token(current_user)
        return refuse(article, form, CSRF_MESSAGE, 400)
    return render_error(error)
