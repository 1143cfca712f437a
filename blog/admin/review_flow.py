"""The review flow's mails: "in review" tells the editors, "sent back" tells the author
with the editor's note, "published" tells the author (co-authors too, once articles
have them).

A save adds one "desk_notice" job in its own write transaction (`after_save`,
`sent_back`); the worker then composes and queues one mail per recipient, keyed by
the job's key and the recipient, so each person gets each notice once however often
the job runs. A publication notice waits until the article is public (a scheduled one
at its time) and is dropped if by then it was taken back or moved to another time.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from blog.core import jobs
from blog.core.cache.site import get_settings
from blog.core.database import writing
from blog.core.mail import queue_mail
from blog.core.mail_templates import compose
from blog.core.templating import absolute_url, site_zone
from blog.extensions import db
from blog.models import Article, Role, User

KIND = "desk_notice"


def after_save(article: Article, old_status: str, new_status: str, actor_id: int) -> None:
    """Queue the notice a save calls for (call in its write, after the flush)."""
    stamp = article.updated_at.isoformat()
    if new_status == "review" and old_status != "review":
        payload = {"event": "review", "article_id": article.id, "actor_id": actor_id}
        jobs.enqueue(KIND, f"desk:review:{article.id}:{stamp}", payload)
    elif new_status in ("scheduled", "published") and old_status != "published":
        when = article.published_at
        payload = {"event": "published", "article_id": article.id, "actor_id": actor_id,
                   "published_at": when.isoformat()}  # fmt: skip
        key = f"desk:published:{article.id}:{when.isoformat()}"
        jobs.enqueue(KIND, key, payload, run_after=when)


def sent_back(article: Article, note: str, actor_id: int) -> None:
    """Queue the "sent back" notice to the author (call in the write that sends it back)."""
    payload = {"event": "sent_back", "article_id": article.id, "actor_id": actor_id,
               "note": note}  # fmt: skip
    jobs.enqueue(KIND, f"desk:sent_back:{article.id}:{article.updated_at.isoformat()}", payload)


def authors_of(article: Article) -> list[User]:
    return [article.author] if article.author is not None else []


def recipients(event: str, article: Article, actor_id: int | None) -> list[User]:
    if event == "review":
        people = db.session.scalars(
            sa.select(User).where(User.role >= Role.EDITOR).order_by(User.id)
        ).all()
    else:
        people = authors_of(article)
    return [u for u in people if u.active and u.email and u.id != actor_id]


def mails_for(payload: dict[str, Any]) -> list[tuple[User, str, str]]:
    """(recipient, subject, text) of each mail the notice sends as things stand now."""
    article = db.session.get(Article, payload.get("article_id"))
    event = payload.get("event")
    if article is None:
        return []
    if event == "review" and article.display_status != "review":
        return []
    if event == "published" and (
        not article.is_public or article.published_at.isoformat() != payload.get("published_at")
    ):
        return []
    actor = db.session.get(User, payload.get("actor_id")) if payload.get("actor_id") else None
    site = get_settings().get("site_name", "the site")
    context = {
        "site": site,
        "title": article.title,
        "actor": actor.name if actor is not None else "An editor",
        "note": payload.get("note", ""),
        "edit": absolute_url("admin.articles.edit_article", article_id=article.id),
        "link": absolute_url("public.article", slug=article.slug),
        "when": article.published_at.astimezone(site_zone()).strftime("%-d %B %Y %H:%M")
        if article.published_at is not None
        else "",
    }
    template = {"review": "review_requested", "sent_back": "sent_back"}.get(
        event, "article_published"
    )
    mails = []
    for user in recipients(event, article, payload.get("actor_id")):
        subject, text, _ = compose(template, name=user.name, **context)
        mails.append((user, subject, text))
    return mails


@jobs.handler(KIND)
def send_notice(payload: dict, run: jobs.Run) -> None:
    """Queue one mail per recipient of the notice; the mail jobs send them."""
    mails = mails_for(payload)
    if not mails:
        return
    with writing():
        for user, subject, text in mails:
            queue_mail(user.email, subject, text, f"{run.key}:{user.id}")
        db.session.commit()
