"""Admin: the editorial calendar, a month and a week of scheduled and published articles
and of unfinished ones with a due time, each a link into the editor.

Rescheduling is done in the editor (its publish date and time, or the assignment's due
time), so the calendar only reads: two queries per view. Authors see their own
articles and those assigned to them; editors see all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import render_template, request
from flask_login import current_user

from blog.admin.assignments import day_bounds
from blog.admin.common import area
from blog.core.templating import site_zone
from blog.extensions import db
from blog.models import Article, ArticleAssignment, ArticleStatus, Role

bp = area("calendar", __name__, Role.AUTHOR)


@dataclass
class Entry:
    article: Article
    at: datetime  # local time
    kind: str  # "published", "scheduled" or "due"


def entries(start: date, days: int) -> dict[date, list[Entry]]:
    """What happens on each local day from `start` for `days` days, in time order."""
    low, high = day_bounds(start, days)
    published = sa.select(Article).where(
        Article.status == ArticleStatus.PUBLISHED,
        Article.published_at >= low,
        Article.published_at < high,
    )
    due = (
        sa.select(Article, ArticleAssignment.due_at)
        .join(ArticleAssignment, ArticleAssignment.article_id == Article.id)
        .where(
            ArticleAssignment.due_at >= low,
            ArticleAssignment.due_at < high,
            Article.status != ArticleStatus.PUBLISHED,
        )
    )
    if not current_user.is_editor:
        mine = Article.author_id == current_user.id
        published = published.where(mine)
        due = due.where(sa.or_(mine, ArticleAssignment.assignee_id == current_user.id))
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for article in db.session.scalars(published.options(so.joinedload(Article.category))):
        local = article.published_at.astimezone(site_zone())
        by_day[local.date()].append(Entry(article, local, article.display_status))
    for article, due_at in db.session.execute(due.options(so.joinedload(Article.category))):
        local = due_at.astimezone(site_zone())
        by_day[local.date()].append(Entry(article, local, "due"))
    for day in by_day.values():
        day.sort(key=lambda e: (e.at, e.article.id))
    return by_day


def today() -> date:
    return datetime.now(site_zone()).date()


def month_arg() -> date:
    """The first day of ?month=YYYY-MM, this month when missing or nonsense."""
    try:
        return datetime.strptime(request.args.get("month", ""), "%Y-%m").date()
    except ValueError:
        return today().replace(day=1)


def day_arg() -> date:
    try:
        return date.fromisoformat(request.args.get("start", ""))
    except ValueError:
        return today()


@bp.get("/calendar")
def month() -> str:
    first = month_arg()
    grid_start = first - timedelta(days=first.weekday())  # a Monday
    following = (first + timedelta(days=32)).replace(day=1)
    weeks = -(-((following - grid_start).days) // 7)
    days = [grid_start + timedelta(days=n) for n in range(weeks * 7)]
    return render_template(
        "admin/calendar.html",
        view="month",
        heading=first.strftime("%B %Y"),
        days=days,
        first=first,
        by_day=entries(grid_start, len(days)),
        previous={"month": (first - timedelta(days=1)).strftime("%Y-%m")},
        next={"month": following.strftime("%Y-%m")},
        today=today(),
    )


@bp.get("/calendar/week")
def week() -> str:
    start = day_arg()
    start -= timedelta(days=start.weekday())
    days = [start + timedelta(days=n) for n in range(7)]
    end = days[-1]
    return render_template(
        "admin/calendar.html",
        view="week",
        heading=f"Week of {start.strftime('%-d %B %Y')} to {end.strftime('%-d %B')}",
        days=days,
        first=None,
        by_day=entries(start, 7),
        previous={"start": (start - timedelta(days=7)).isoformat()},
        next={"start": (start + timedelta(days=7)).isoformat()},
        today=today(),
    )
