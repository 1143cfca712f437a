"""Breaking-news alerts: "Send as alert" in the article editor, one mail per article, once.

`sync_alert(article, requested)` runs inside the editor's write transaction, after the
article is flushed. Asked for on a published or scheduled article, it inserts the issue
"alert:<article id>" (periods are unique, so saving again, by anyone, adds nothing) and
one "alert" job due when the article becomes public: now, or at its scheduled time. A
later save that moves the scheduled time moves that job with it.

The worker runs the "alert" job (`fan_out`): when the article is public it adds one
"newsletter" job per active subscriber who chose alerts and whose sections include the
article's (none chosen: every section), keyed "newsletter:<issue>:<subscriber>" like a
digest's, so `send_issue` sends them with the queue's guarantees (retries, bounces,
nothing twice). Nothing is mailed from the request. An article taken back to draft
before its alert went out drops the alert (the job fails, "the article is not published").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from blog.core import jobs
from blog.core.types import utcnow
from blog.core.upsert import insert
from blog.extensions import db
from blog.models import (
    Article,
    ArticleStatus,
    Job,
    JobState,
    NewsletterIssue,
    Subscriber,
    SubscriberState,
)
from blog.newsletter.sending import enqueue_deliveries


def period(article_id: int) -> str:
    return f"alert:{article_id}"


@dataclass(frozen=True)
class AlertStatus:
    """What the editor shows about an article's alert."""

    issue_id: int
    created_at: datetime
    recipients: int
    state: str  # the "alert" job's: queued (waiting for publication), done, failed


def alert_status(article_id: int | None) -> AlertStatus | None:
    """The article's alert, or None when none was asked for."""
    if article_id is None:
        return None
    issue = db.session.scalar(
        sa.select(NewsletterIssue).where(NewsletterIssue.period == period(article_id))
    )
    if issue is None:
        return None
    state = db.session.scalar(sa.select(Job.state).where(Job.key == f"alert:{issue.id}"))
    return AlertStatus(issue.id, issue.created_at, issue.recipients, state or JobState.DONE)


def sync_alert(article: Article, requested: bool) -> bool:
    """Queue the article's alert if `requested` and none exists; keep a waiting alert's
    time in step with the article's. True when an alert was queued now. The caller
    commits (inside its write transaction)."""
    if article.status != ArticleStatus.PUBLISHED or article.published_at is None:
        return False
    now = utcnow()
    due = max(article.published_at, now)
    existing = db.session.scalar(
        sa.select(NewsletterIssue.id).where(NewsletterIssue.period == period(article.id))
    )
    if existing is not None:
        db.session.execute(
            sa.update(Job)
            .where(Job.key == f"alert:{existing}", Job.state == JobState.QUEUED)
            .values(run_after=due)
        )
        return False
    if not requested:
        return False
    issue_id = db.session.execute(
        insert(NewsletterIssue)
        .values(kind="alert", period=period(article.id),
                subject=f"Breaking news: {article.title}"[:200],
                article_ids=[article.id], recipients=0, created_at=now)
        .on_conflict_do_nothing(index_elements=["period"])
        .returning(NewsletterIssue.id)
    ).scalar()  # fmt: skip
    if issue_id is None:  # another save of the same article asked for it a moment ago
        return False
    return jobs.enqueue("alert", f"alert:{issue_id}", {"issue": issue_id}, run_after=due)


@jobs.handler("alert")
def fan_out(payload: dict, run: jobs.Run) -> None:
    issue = db.session.get(NewsletterIssue, payload.get("issue"))
    if issue is None or not issue.article_ids:
        raise jobs.Fail("the alert's issue no longer exists")
    article = db.session.get(Article, issue.article_ids[0])
    if article is None or article.status != ArticleStatus.PUBLISHED or not article.published_at:
        raise jobs.Fail("the article is not published")
    now = utcnow()
    if article.published_at > now:  # rescheduled later since: wait for it
        raise jobs.Retry("not public yet", delay=(article.published_at - now).total_seconds())
    subscribers = db.session.execute(
        sa.select(Subscriber.id, Subscriber.sections).where(
            Subscriber.state == SubscriberState.ACTIVE, Subscriber.alerts.is_(True)
        )
    ).all()
    recipients = [
        sid for sid, sections in subscribers if not sections or article.category_id in sections
    ]
    issue_id = issue.id
    with jobs.committed_write():
        enqueue_deliveries(issue_id, recipients, now)
        db.session.execute(
            sa.update(NewsletterIssue)
            .where(NewsletterIssue.id == issue_id)
            .values(recipients=len(recipients))
        )
