"""Digests: scheduled by the worker, one "newsletter" job per subscriber and issue.

`schedule_digests` (a periodic task of blog/core/jobs.py) creates at most one issue per
period ("daily:2026-12-02", "weekly:2026-W49"; the period is unique, so several
workers agree) when something was published since the previous issue of that kind,
and enqueues one job per active subscriber whose choices match, keyed
"newsletter:<issue>:<subscriber>". The queue's guarantees do the rest: a mail per key,
retried on 4xx, failed on a 5xx to the recipient (the subscriber is then marked bounced
and gets no more mail), and a killed worker's jobs are taken over. A 5xx that is the
server's, not the address's, pauses the issue instead (blog/newsletter/pausing.py).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, render_template, url_for

from blog.core import jobs
from blog.core.cache.site import get_settings
from blog.core.imagesets import image_url
from blog.core.mail import (
    Connection,
    PermanentFailure,
    ServerFailure,
    TemporaryFailure,
    build_message,
    job_message_id,
    sender_domain,
)
from blog.core.types import utcnow
from blog.core.upsert import insert
from blog.extensions import db
from blog.models import Article, Job, NewsletterIssue, Subscriber, SubscriberState
from blog.newsletter import pausing
from blog.newsletter.tokens import manage_token

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def period_name(kind: str, now: datetime) -> str:
    if kind == "daily":
        return f"daily:{now.date().isoformat()}"
    year, week, _ = now.isocalendar()
    return f"weekly:{year}-W{week:02d}"


def articles_since(since: datetime, now: datetime) -> list[Article]:
    query = Article.published().where(Article.published_at > since, Article.published_at <= now)
    return list(db.session.scalars(query.options(so.selectinload(Article.category)).limit(30)))


def pending(kind: str, now: datetime) -> tuple[list[Article], str] | None:
    """What the next issue of `kind` would hold and its subject; None when nothing is new."""
    previous = db.session.scalar(
        sa.select(sa.func.max(NewsletterIssue.created_at)).where(NewsletterIssue.kind == kind)
    )
    articles = articles_since(previous or now - PERIODS[kind], now)
    if not articles:
        return None
    more = f" and {len(articles) - 1} more" if len(articles) > 1 else ""
    return articles, f"{_site_name()}: {articles[0].title}{more}"


def create_issue(kind: str, now: datetime | None = None) -> NewsletterIssue | None:
    """The issue of `kind` for the current period with its jobs, or None (nothing new, or
    already made). Commits."""
    now = now or utcnow()
    period = period_name(kind, now)
    if db.session.scalar(sa.select(NewsletterIssue.id).where(NewsletterIssue.period == period)):
        return None
    found = pending(kind, now)
    if found is None:
        return None
    articles, subject = found
    subscribers = db.session.execute(
        sa.select(Subscriber.id, Subscriber.sections).where(
            Subscriber.state == SubscriberState.ACTIVE, Subscriber.frequency == kind
        )
    ).all()
    categories = {a.category_id for a in articles}
    recipients = [
        sid for sid, sections in subscribers if not sections or categories & set(sections)
    ]
    with jobs.committed_write():
        db.session.execute(
            insert(NewsletterIssue)
            .values(kind=kind, period=period, subject=subject[:200],
                    article_ids=[a.id for a in articles], recipients=len(recipients),
                    created_at=now)
            .on_conflict_do_nothing(index_elements=["period"])
        )  # fmt: skip
        issue = db.session.scalar(
            sa.select(NewsletterIssue).where(NewsletterIssue.period == period)
        )
        enqueue_deliveries(issue.id, recipients, now)
    return issue


def enqueue_deliveries(issue_id: int, recipients: list[int], now: datetime) -> None:
    """One "newsletter" job per subscriber id, keyed "newsletter:<issue>:<subscriber>" and
    counted in batch "issue:<issue>"; keys already queued are skipped. The caller commits."""
    rows = [
        {"kind": "newsletter", "key": f"newsletter:{issue_id}:{sid}", "batch": f"issue:{issue_id}",
         "payload": {"issue": issue_id, "subscriber": sid}, "state": "queued", "attempts": 0,
         "max_attempts": 8, "run_after": utcnow(), "last_error": "", "created_at": now}
        for sid in recipients
    ]  # fmt: skip
    for start in range(0, len(rows), 1000):
        db.session.execute(insert(Job).on_conflict_do_nothing(), rows[start : start + 1000])


@jobs.periodic
def schedule_digests() -> None:
    for kind in PERIODS:
        create_issue(kind)


def _site_name() -> str:
    return get_settings().get("site_name", "The newsroom")


def _issue_content(issue_id: int) -> dict[str, Any] | None:
    issue = db.session.get(NewsletterIssue, issue_id)
    if issue is None:
        return None
    articles = db.session.scalars(
        Article.published().where(Article.id.in_(issue.article_ids or []))
    ).all()
    found = content(issue.subject, list(articles))
    if issue.kind == "alert" and not all(a.donation_appeal for a in articles):
        found["appeal"] = None  # switched off for this article: not in its alert either
    return found


def content(subject: str, articles: list[Article]) -> dict[str, Any]:
    """What every copy of an issue shares: items with absolute URLs, the appeal."""
    settings = get_settings()
    site_url = current_app.config["SITE_URL"].rstrip("/")
    with current_app.test_request_context("/", base_url=site_url):
        items = [
            {"title": a.title, "summary": a.summary, "category": a.category_id,
             "url": site_url + _path("public.article", slug=a.slug),
             "image": (site_url + image_url(a)) if image_url(a) else None}
            for a in articles
        ]  # fmt: skip
        donate = site_url + _path("donations.donate") if "donations.donate" in _endpoints() else ""
    return {
        "subject": subject,
        "items": items,
        "site": settings.get("site_name", "The newsroom"),
        "appeal": settings.get("donate_text", ""),
        "donate_url": settings.get("donate_url") or donate or site_url + "/pages/donate",
    }


def preview(kind: str) -> dict[str, str] | None:
    """The next `kind` digest as a subscriber of every section would get it, or None."""
    found = pending(kind, utcnow())
    if found is None:
        return None
    articles, subject = found
    sample = Subscriber(id=0, email="preview@invalid", sections=[])
    text, html, _headers = render(content(subject, articles), sample)
    return {"subject": subject, "text": text, "html": html}


def test_key(user_id: int) -> str:
    """A fresh job key for an editor's test mail (each click sends one)."""
    return f"newsletter-test:{user_id}:{secrets.token_hex(6)}"


def _endpoints() -> set[str]:
    return set(current_app.view_functions)


def _path(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, **values)


def render(content: dict[str, Any], subscriber: Subscriber) -> tuple[str, str, dict[str, str]]:
    """(text, html, list headers) of one subscriber's copy of an issue."""
    site_url = current_app.config["SITE_URL"].rstrip("/")
    token = manage_token(subscriber)
    with current_app.test_request_context("/", base_url=site_url):
        unsubscribe = site_url + _path("newsletter.unsubscribe", token=token)
        preferences = site_url + _path("newsletter.preferences", token=token)
        sections = set(subscriber.sections or [])
        items = [i for i in content["items"] if not sections or i["category"] in sections]
        context = dict(content, items=items, unsubscribe=unsubscribe, preferences=preferences)
        text = render_template("newsletter/mail.txt", **context)
        html = render_template("newsletter/mail.html", **context)
    headers = {
        "List-Id": f"{content['site'][:60]} <newsletter.{sender_domain()}>".replace("\n", " "),
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return text, html, headers


@jobs.handler("newsletter")
def send_issue(payload: dict, run: jobs.Run) -> None:
    subscriber = db.session.get(Subscriber, payload.get("subscriber"))
    if subscriber is None or subscriber.state != SubscriberState.ACTIVE:
        return  # unsubscribed or bounced since the issue was made: nothing to send
    content = run.resource(
        f"issue:{payload.get('issue')}", lambda: _issue_content(payload["issue"])
    )
    if content is None:
        raise jobs.Fail("the issue no longer exists")
    if pausing.is_paused(payload["issue"]):
        raise jobs.Retry("paused: the issue waits to be resumed", pausing.PAUSED_SECONDS)
    text, html, headers = render(content, subscriber)
    message = build_message(subscriber.email, content["subject"], text, html, headers,
                            message_id=job_message_id(run))  # fmt: skip
    subscriber_id = subscriber.id
    db.session.commit()  # no transaction open while talking to the mail server
    try:
        run.resource("smtp", Connection).send(message)
    except TemporaryFailure as error:
        run.discard("smtp")
        raise jobs.Retry(str(error)) from error
    except ServerFailure as error:
        pausing.pause(payload["issue"], str(error), error.refused)
        raise jobs.Retry(f"paused: {error}", pausing.PAUSED_SECONDS) from error
    except PermanentFailure as error:
        with jobs.committed_write():
            db.session.execute(
                sa.update(Subscriber).where(Subscriber.id == subscriber_id)
                .values(state=SubscriberState.BOUNCED)
            )  # fmt: skip
        raise jobs.Fail(f"bounced: {error}") from error
