"""The weekly "what did well" mail to editors, through the queue (AUDIENCE_WEEKLY_MAIL).

On a Monday (UTC), the worker's periodic run queues one mail per active editor and
admin about the week that ended on Sunday: views and visitors, the most read articles,
the share from the newsletter, search and social, and the articles that brought
newsletter sign-ups and donation clicks. Keys "audience-weekly:<Monday>:<user id>", so
however many workers run it, each editor gets one mail a week. Off by default.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from blog.audience import queries
from blog.core import jobs
from blog.core.cache.site import get_settings
from blog.core.jobs import committed_write
from blog.core.mail import queue_mail
from blog.core.mail_templates import compose
from blog.core.templating import absolute_url
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Role, User


def report(monday: date) -> dict:
    """The mail's context for the week before `monday` (Monday to Sunday)."""
    sunday = monday - timedelta(days=1)
    period = queries.Period(7, last=sunday)
    days = [(d, v, u) for d, v, u in queries.daily(7 + (utcnow().date() - sunday).days)
            if period.first <= d <= sunday]  # fmt: skip
    supporters = [row for row in queries.funnel(period) if row[4] or row[6]][:5]
    return {
        "site": get_settings().get("site_name", "the site"),
        "first": period.first,
        "last": sunday,
        "views": sum(v for _, v, _ in days),
        "visitors": sum(u for _, _, u in days),
        "top": queries.top_articles(period, 5),
        "shares": queries.shares(period),
        "supporters": supporters,
        "dashboard": absolute_url("admin.audience.dashboard", days=7),
    }


def send_week(monday: date) -> int:
    """Queue the week's mail for every active editor and admin; how many were new."""
    context = report(monday)
    subject, text, html = compose("audience_weekly", **context)
    editors = db.session.scalars(
        sa.select(User).where(User.active, User.role >= Role.EDITOR).order_by(User.id)
    ).all()
    added = 0
    with committed_write():
        for user in editors:
            key = f"audience-weekly:{monday.isoformat()}:{user.id}"
            added += queue_mail(user.email, subject, text, key, html=html)
    return added


@jobs.periodic
def weekly_mail() -> None:
    """The worker's call: on Mondays, last week's mail (once per editor and week)."""
    if not current_app.config.get("AUDIENCE_WEEKLY_MAIL"):
        return
    today = utcnow().date()
    if today.weekday() == 0:
        send_week(today)
