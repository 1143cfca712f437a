"""Reply notices: one mail to a comment's author when a reply to it becomes visible.

A reply becomes visible when it is posted approved, or later when a moderator
approves (or restores) it, or approves it again after reports hid it. Whoever makes
it visible calls `reply_became_visible(reply)` inside that write transaction; it adds
a "reply_notice" job keyed `reply:<reply id>`, so however often the reply is hidden
and shown again the queue holds one job and the parent's author gets one mail.

The worker (`blog worker`, `blog send-due`) builds the mail when it runs the job, from
what is true then: no mail if the reply was hidden or deleted meanwhile, if the parent's
author turned notices off, left, or wrote the reply themselves. The mail goes out
through the same SMTP path as every queued mail (blog/core/mail_transport.py), with a Message-ID
derived from the job, retried on 4xx and outages.
"""

from __future__ import annotations

from typing import Any

from blog.core import jobs
from blog.core.cache.site import get_settings
from blog.core.mail import send_queued
from blog.core.mail_templates import compose
from blog.core.templating import absolute_url
from blog.extensions import db
from blog.models import Comment, User

KIND = "reply_notice"


def reply_became_visible(reply: Comment) -> bool:
    """Queue the notice for `reply` (call in the write that makes it visible); True if new.

    Does nothing for a top-level comment. The caller commits.
    """
    if reply.parent_id is None or reply.id is None:
        return False
    return jobs.enqueue(KIND, f"reply:{reply.id}", {"comment_id": reply.id})


def notice_for(reply: Comment | None) -> dict[str, Any] | None:
    """The mail payload for `reply` as things stand now, or None when none is due."""
    if reply is None or not reply.counts_as_visible or reply.parent is None:
        return None
    if reply.parent.deleted:  # its author deleted it: they follow it no longer
        return None
    recipient: User | None = reply.parent.author
    if recipient is None or not recipient.active or not recipient.notify_replies:
        return None
    if recipient.id == reply.author_id:
        return None
    article = reply.article
    if not article.is_public:
        return None

    site = get_settings().get("site_name", "the site")
    subject, body, html = compose(
        "reply_notice",
        site=site,
        name=recipient.name,
        replier=reply.author_name,
        title=article.title,
        text=reply.body_source,
        link=absolute_url("comments.permalink", comment_id=reply.id),
        account=absolute_url("auth.account"),
    )
    return {
        "to": recipient.email,
        "subject": subject,
        "body": body,
        "html": html,
        "headers": {},
    }


@jobs.handler(KIND)
def send_notice(payload: dict, run: jobs.Run) -> None:
    """Send the notice of one reply, if it is still due (see the module docstring)."""
    message = notice_for(db.session.get(Comment, payload.get("comment_id")))
    if message is not None:
        send_queued(message, run)
