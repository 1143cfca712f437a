"""An issue the mail server refused as a whole: paused, the admins told, resumed by hand.

A `ServerFailure` (blog/core/mail_transport.py: a 5xx at DATA, or the same refusal
for every recipient) says nothing about the addresses, so nobody is marked bounced:
the issue is paused (its queued mails wait), every admin gets one mail through the
queue, and the admin newsletter page shows a notice with a Resume button. Subscribers
bounced by the refusals that turned out to be server-wide are made active again and
their mails wait with the rest.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from blog.core import jobs
from blog.core.cache.site import get_settings
from blog.core.mail import queue_mail
from blog.core.mail_templates import compose
from blog.core.templating import absolute_url
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Job, JobState, NewsletterIssue, Role, Subscriber, SubscriberState, User

# A paused issue's mails are put this far ahead; resuming brings them back to now.
PAUSED_FOR = timedelta(days=3650)
PAUSED_SECONDS = PAUSED_FOR.total_seconds()


def is_paused(issue_id: int) -> bool:
    return db.session.scalar(
        sa.select(NewsletterIssue.paused_at).where(NewsletterIssue.id == issue_id)
    ) is not None  # fmt: skip


def pause(issue_id: int, reason: str, refused: tuple[str, ...] = ()) -> bool:
    """Pause issue `issue_id` and take back the bounces of `refused` addresses; True when
    this call paused it (and so alerted the admins). Commits."""
    now = utcnow()
    with jobs.committed_write():
        paused = db.session.execute(
            sa.update(NewsletterIssue)
            .where(NewsletterIssue.id == issue_id, NewsletterIssue.paused_at.is_(None))
            .values(paused_at=now, pause_reason=reason[:500])
        ).rowcount
        if refused:
            _unbounce(issue_id, refused, now)
        db.session.execute(
            sa.update(Job)
            .where(Job.batch == f"issue:{issue_id}", Job.state == JobState.QUEUED)
            .values(run_after=now + PAUSED_FOR)
        )
        if paused:
            _alert_admins(issue_id, reason, now)
    return bool(paused)


def _unbounce(issue_id: int, refused: tuple[str, ...], now) -> None:
    ids = db.session.scalars(
        sa.select(Subscriber.id).where(
            sa.func.lower(Subscriber.email).in_(refused),
            Subscriber.state == SubscriberState.BOUNCED,
        )
    ).all()
    if not ids:
        return
    db.session.execute(
        sa.update(Subscriber).where(Subscriber.id.in_(ids)).values(state=SubscriberState.ACTIVE)
    )
    db.session.execute(
        sa.update(Job)
        .where(Job.key.in_([f"newsletter:{issue_id}:{sid}" for sid in ids]),
               Job.state == JobState.FAILED)
        .values(state=JobState.QUEUED, attempts=0, run_after=now + PAUSED_FOR,
                last_error="paused: the refusal was the server's", finished_at=None)
    )  # fmt: skip


def _alert_admins(issue_id: int, reason: str, now) -> None:
    issue = db.session.get(NewsletterIssue, issue_id)
    found = jobs.counts(f"issue:{issue_id}")
    subject, text, _ = compose(
        "newsletter_paused", site=get_settings().get("site_name", "the site"),
        subject=issue.subject, reason=reason, sent=found[JobState.DONE],
        recipients=issue.recipients, link=absolute_url("admin.newsletter.newsletter"),
    )  # fmt: skip
    admins = db.session.scalars(
        sa.select(User).where(User.role >= Role.ADMIN, User.active).order_by(User.id)
    )
    stamp = now.strftime("%Y%m%dT%H%M%S")
    for admin in admins:
        key = f"newsletter-paused:{issue_id}:{admin.id}:{stamp}"
        queue_mail(admin.email, subject, text, key=key)


def resume(issue_id: int) -> int:
    """Unpause the issue: its waiting mails are due now; how many. The caller commits."""
    db.session.execute(
        sa.update(NewsletterIssue).where(NewsletterIssue.id == issue_id)
        .values(paused_at=None, pause_reason="")
    )  # fmt: skip
    return db.session.execute(
        sa.update(Job)
        .where(Job.batch == f"issue:{issue_id}", Job.state == JobState.QUEUED)
        .values(run_after=utcnow(), attempts=0)
    ).rowcount


def paused_issues() -> list[NewsletterIssue]:
    query = sa.select(NewsletterIssue).where(NewsletterIssue.paused_at.is_not(None))
    return list(db.session.scalars(query.order_by(NewsletterIssue.paused_at)))


def restore(subscriber: Subscriber) -> bool:
    """Make a bounced subscriber active again; False if it was not bounced. The caller
    commits (and records who did it)."""
    if subscriber.state != SubscriberState.BOUNCED:
        return False
    subscriber.state = SubscriberState.ACTIVE
    return True
