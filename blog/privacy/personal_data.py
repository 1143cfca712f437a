"""A person's data: everything the site holds about one account, and erasing it.

`export(user)` is what "Download my data" (the account page) and an admin's export on
request (Admin > Users > a user > Personal data) hand over, as one JSON document:
the account, its comments (with the article and a permalink each), newsletter
subscriptions (linked to the account or, once the account confirmed it, to its
address), the reports it made, and, for staff, the articles it wrote.

`erase(user, comments=KEEP | REMOVE)` deletes the account inside the caller's write
transaction; the caller commits. What stays is said in KEPT, shown before anyone
confirms:
- KEEP: the comments stay, shown as by "deleted user" (their author becomes NULL);
- REMOVE: the comments go, and with them every reply to them (also other readers'),
  so no reply hangs under nothing; article comment counts follow in SQL.
Either way the newsletter subscriptions end (blog/subscriptions.forget_account: the
address stays, unsubscribed, so an old import cannot add it again), the reports the
person made stay without their name (moderators' records), and audit-log lines they
caused stay without their account (the log keeps the account id, which is never given
to anyone else). Mail jobs to the person keep no address, subject or body, and those
not sent yet are cancelled (`forget_recipient`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from werkzeug.wrappers import Response
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from blog.core.mail import ACCOUNT_MAIL_KEYS
from blog.core.templating import absolute_url
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import (
    Article,
    Category,
    Comment,
    CommentReport,
    CommentStatus,
    Job,
    JobState,
    Role,
    Subscriber,
    User,
)
from blog.newsletter.api import forget_account, owned_by

KEEP, REMOVE = "keep", "remove"
CHOICES = {
    KEEP: "Keep my comments, shown as by “deleted user”, so the conversations still read",
    REMOVE: "Remove my comments, and with them the replies other readers wrote to them",
}
KEPT = [
    "Your email address stays on the newsletter's list, marked unsubscribed, so that an old "
    "import cannot subscribe it again.",
    "Your reports of other readers' comments stay, without your name, for the moderators.",
    "Lines in the editors' audit log stay, without your account.",
    "Copies in the site's backups stay until those backups are deleted (usually weeks).",
]


def comments_field(label: str) -> RadioField:
    """The keep-or-remove choice of an erasure form (KEEP when the form sends none)."""
    choices = [SelectChoice(value, text) for value, text in CHOICES.items()]
    return RadioField(label, choices=choices, default=KEEP, validate_choice=True)


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _subscriptions(user: User) -> sa.Select:
    return sa.select(Subscriber).where(owned_by(user))


def export(user: User) -> dict[str, Any]:
    """Everything about `user` as JSON-ready data (a few queries, whatever the size)."""
    comments = db.session.scalars(
        sa.select(Comment)
        .where(Comment.author_id == user.id)
        .options(so.joinedload(Comment.article))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    sections = dict(db.session.execute(sa.select(Category.id, Category.name)).all())
    subscriptions = db.session.scalars(_subscriptions(user).order_by(Subscriber.id)).all()
    reports = db.session.scalars(
        sa.select(CommentReport)
        .where(CommentReport.reporter_id == user.id)
        .order_by(CommentReport.created_at, CommentReport.id)
    ).all()
    articles = db.session.scalars(
        sa.select(Article).where(Article.author_id == user.id).order_by(Article.id)
    ).all()
    return {
        "exported_at": _time(utcnow()),
        "site": absolute_url("public.index"),
        "account": {
            "id": user.id,
            "username": user.username,
            "email": user.email,
            "email_confirmed_at": _time(user.email_confirmed_at),
            "display_name": user.display_name,
            "bio": user.bio,
            "fediverse": user.fediverse,
            "role": Role(user.role).label,
            "active": user.active,
            "may_comment": user.can_comment,
            "reply_notices": user.notify_replies,
            "created_at": _time(user.created_at),
            "updated_at": _time(user.updated_at),
        },
        "comments": [
            {
                "id": c.id,
                "article": c.article.title,
                "article_url": absolute_url("public.article", slug=c.article.slug),
                "url": absolute_url("comments.permalink", comment_id=c.id),
                "reply_to": c.parent_id,
                "status": c.status,
                "deleted": c.deleted,
                "text": c.body_source,
                "created_at": _time(c.created_at),
                "edited_at": _time(c.edited_at),
            }
            for c in comments
        ],
        "subscriptions": [
            {
                "email": s.email,
                "state": s.state,
                "frequency": s.frequency,
                "alerts": s.alerts,
                "sections": [sections.get(i, str(i)) for i in s.sections or []],
                "confirmed_at": _time(s.confirmed_at),
                "created_at": _time(s.created_at),
            }
            for s in subscriptions
        ],
        "reports": [
            {
                "comment_id": r.comment_id,
                "kind": r.kind,
                "reason": r.reason,
                "resolved": r.resolved,
                "created_at": _time(r.created_at),
            }
            for r in reports
        ],
        "articles": [
            {"id": a.id, "title": a.title, "status": a.status, "slug": a.slug} for a in articles
        ],
    }


def json_download(data: dict[str, Any], username: str) -> Response:
    """`data` as a JSON file named after the account and the day; never cached."""
    body = json.dumps(data, ensure_ascii=False, indent=2)
    name = f"{username}-data-{utcnow():%Y-%m-%d}.json"
    return Response(
        body + "\n",
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


@dataclass
class Erased:
    comments: int = 0  # the person's own comments removed (or kept, anonymous)
    replies: int = 0  # other readers' replies removed with them
    subscriptions: int = 0

    def describe(self, choice: str) -> str:
        if choice == KEEP:
            kept = f"{self.comments} comments kept as by “deleted user”"
        else:
            kept = f"{self.comments} comments and {self.replies} replies to them removed"
        return f"{kept}, {self.subscriptions} newsletter subscriptions ended"


def counts(user: User) -> Erased:
    """What erasing `user` would touch (for the confirmation page)."""
    own = sa.select(Comment.id).where(Comment.author_id == user.id)
    return Erased(
        comments=db.session.scalar(sa.select(sa.func.count()).select_from(own.subquery())) or 0,
        replies=db.session.scalar(
            sa.select(sa.func.count(Comment.id)).where(
                Comment.parent_id.in_(own),
                sa.or_(Comment.author_id.is_(None), Comment.author_id != user.id),
            )
        )
        or 0,
        subscriptions=len(db.session.scalars(_subscriptions(user)).all()),
    )


def erase(user: User, comments: str) -> Erased:
    """Delete `user` and their data as the module docstring says; inside the write."""
    if comments not in CHOICES:
        raise ValueError(f"comments must be {KEEP!r} or {REMOVE!r}")
    found = counts(user)
    own = sa.select(Comment.id).where(Comment.author_id == user.id).scalar_subquery()
    if comments == REMOVE:
        going = sa.or_(Comment.author_id == user.id, Comment.parent_id.in_(own))
        visible = db.session.execute(
            sa.select(Comment.article_id, sa.func.count(Comment.id))
            .where(going, Comment.status == CommentStatus.APPROVED, sa.not_(Comment.deleted))
            .group_by(Comment.article_id)
        ).all()
        for article_id, n in visible:
            db.session.execute(Article.comment_count_change(article_id, -n))
        db.session.execute(sa.delete(Comment).where(Comment.parent_id.in_(own)))
        db.session.execute(sa.delete(Comment).where(Comment.author_id == user.id))
    forget_recipient(user.email, user.id)  # no queued or sent mail keeps the address
    forget_account(user)  # the subscriptions end; the address stays, unsubscribed
    # Comments kept: the foreign key sets their author to NULL ("deleted user").
    db.session.execute(sa.delete(User).where(User.id == user.id))
    return found


def forget_recipient(address: str, user_id: int) -> None:
    """Keep nothing of the mail to one person being erased (called by `erase`).

    Every "mail" job to `address` (any case), or keyed by account `user_id`, loses its
    payload (address, subject, body), whatever its state: the row stays, so its key
    still refuses a duplicate and batch counts stay right. Mail not sent yet is
    cancelled (failed, "recipient erased"); one a worker is sending at this moment
    goes out as it was claimed. Inside the caller's write.
    """
    keyed = [Job.key.startswith(f"{prefix}:{user_id}:", autoescape=True)
             for prefix in ACCOUNT_MAIL_KEYS]  # fmt: skip
    recipient = sa.func.lower(Job.payload["to"].as_string()) == address.lower()
    theirs = sa.and_(Job.kind == "mail", sa.or_(recipient, *keyed))
    db.session.execute(
        sa.update(Job)
        .where(theirs, Job.state == JobState.QUEUED)
        .values(state=JobState.FAILED, last_error="recipient erased", finished_at=utcnow())
    )
    db.session.execute(sa.update(Job).where(theirs).values(payload={}))
