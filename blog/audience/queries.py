"""The numbers the audience pages show, read from the daily tables only.

No query here reads raw views: a dashboard costs the same at 10 million raw views as at
ten (bench/README.md, "Audience"). Each function returns plain rows (tuples of numbers
and text) that the charts, the tables beside them and the CSV files all share. "Today"
counts what the worker has rolled up so far (every minute).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import (
    Article,
    AudienceDay,
    Category,
    DonationClick,
    PageDay,
    SourceDay,
    Subscriber,
    ViewDay,
)

SHARED_SOURCES = ("newsletter", "search", "social")


def today() -> date:
    return utcnow().date()


def since(days: int) -> date:
    """The first day of a period of `days` days ending today."""
    return today() - timedelta(days=days - 1)


def daily(days: int) -> list[tuple[date, int, int]]:
    """(day, views, visitors) for each of the last `days` days, zeros included."""
    first = since(days)
    found = {
        row.day: (row.views, row.visitors)
        for row in db.session.scalars(sa.select(AudienceDay).where(AudienceDay.day >= first))
    }
    return [
        (day, *found.get(day, (0, 0))) for day in (first + timedelta(days=n) for n in range(days))
    ]


def weekly(days: int) -> list[tuple[date, int, int]]:
    """(Monday, views, visitors) by week; a week's visitors are the sum of its days'
    (the salt changes daily, so nobody can be recognised across days)."""
    weeks: dict[date, list[int]] = {}
    for day, views, visitors in daily(days):
        week = weeks.setdefault(day - timedelta(days=day.weekday()), [0, 0])
        week[0] += views
        week[1] += visitors
    return [(week, views, visitors) for week, (views, visitors) in weeks.items()]


def top_articles(days: int, limit: int = 10) -> list[tuple[int, str, str, int]]:
    """(article id, title, slug, views) of the most read articles of the period."""
    views = sa.func.sum(PageDay.views).label("views")
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(Article.id, Article.title, Article.slug, views)
            .join(Article, Article.id == PageDay.page_id)
            .where(PageDay.page == "article", PageDay.day >= since(days))
            .group_by(Article.id, Article.title, Article.slug)
            .order_by(views.desc(), Article.id)
            .limit(limit)
        )
    ]


def top_sections(days: int) -> list[tuple[int, str, int]]:
    """(category id, name, views) of each section: its own page and its articles."""
    first = since(days)
    by_articles = (
        sa.select(Article.category_id.label("id"), PageDay.views)
        .join(Article, Article.id == PageDay.page_id)
        .where(PageDay.page == "article", PageDay.day >= first)
    )
    by_page = sa.select(PageDay.page_id.label("id"), PageDay.views).where(
        PageDay.page == "section", PageDay.day >= first
    )
    both = sa.union_all(by_articles, by_page).subquery()
    views = sa.func.sum(both.c.views).label("views")
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(Category.id, Category.name, views)
            .join(both, both.c.id == Category.id)
            .group_by(Category.id, Category.name)
            .order_by(views.desc(), Category.id)
        )
    ]


def sources(days: int) -> list[tuple[str, int]]:
    """(source, views) for the period, largest first."""
    views = sa.func.sum(SourceDay.views).label("views")
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(SourceDay.source, views)
            .where(SourceDay.day >= since(days))
            .group_by(SourceDay.source)
            .order_by(views.desc(), SourceDay.source)
        )
    ]


def shares(days: int) -> list[tuple[str, int, float]]:
    """(source, views, percent of all views) for the newsletter, search and social."""
    found = dict(sources(days))
    total = sum(found.values())
    return [
        (name, found.get(name, 0), round(100 * found.get(name, 0) / total, 1) if total else 0.0)
        for name in SHARED_SOURCES
    ]


def referrers(days: int, limit: int = 15) -> list[tuple[str, str, int]]:
    """(referrer host, source, views) of the other sites that sent readers."""
    views = sa.func.sum(SourceDay.views).label("views")
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(SourceDay.referrer, SourceDay.source, views)
            .where(SourceDay.day >= since(days), SourceDay.referrer != "")
            .group_by(SourceDay.referrer, SourceDay.source)
            .order_by(views.desc(), SourceDay.referrer)
            .limit(limit)
        )
    ]


def campaigns(days: int, limit: int = 15) -> list[tuple[str, str, int]]:
    """(UTM source, UTM campaign, views) of tagged links."""
    views = sa.func.sum(SourceDay.views).label("views")
    tagged = sa.or_(SourceDay.utm_source != "", SourceDay.utm_campaign != "")
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(SourceDay.utm_source, SourceDay.utm_campaign, views)
            .where(SourceDay.day >= since(days), tagged)
            .group_by(SourceDay.utm_source, SourceDay.utm_campaign)
            .order_by(views.desc(), SourceDay.utm_source, SourceDay.utm_campaign)
            .limit(limit)
        )
    ]


def _per_article(first: date, article_id: int | None = None) -> dict[str, dict[int, int]]:
    """Sign-ups, confirmed sign-ups and donation clicks by article since `first` (of one
    article, or of every one). Sign-ups are the subscribers whose form was on the article
    (subscriber.from_article_id); clicks are the appeal's counted redirects."""
    start = datetime.combine(first, time.min, tzinfo=UTC)
    signup_filter = [Subscriber.from_article_id.is_not(None), Subscriber.created_at >= start]
    click_filter = [DonationClick.article_id != 0, DonationClick.day >= first]
    if article_id is not None:
        signup_filter.append(Subscriber.from_article_id == article_id)
        click_filter.append(DonationClick.article_id == article_id)
    signups = db.session.execute(
        sa.select(
            Subscriber.from_article_id,
            sa.func.count(),
            sa.func.count(Subscriber.confirmed_at),
        )
        .where(*signup_filter)
        .group_by(Subscriber.from_article_id)
    ).all()
    clicks = db.session.execute(
        sa.select(DonationClick.article_id, sa.func.sum(DonationClick.count))
        .where(*click_filter)
        .group_by(DonationClick.article_id)
    ).all()
    return {
        "signups": {a: n for a, n, _ in signups},
        "confirmed": {a: c for a, _, c in signups},
        "clicks": {a: int(n) for a, n in clicks},
    }


def funnel(days: int, limit: int = 20) -> list[tuple[int, str, str, int, int, int, int]]:
    """(article id, title, slug, views, sign-ups, confirmed, donation clicks): the
    reader revenue funnel of the period's most read articles, and of any article that
    brought a sign-up or a donation click."""
    first = since(days)
    rest = _per_article(first)
    views = dict((article_id, n) for article_id, _, _, n in top_articles(days, limit))
    ids = set(views) | set(rest["signups"]) | set(rest["clicks"])
    if not ids:
        return []
    missing = ids - set(views)
    if missing:
        views.update(db.session.execute(
            sa.select(PageDay.page_id, sa.func.sum(PageDay.views))
            .where(PageDay.page == "article", PageDay.day >= first, PageDay.page_id.in_(missing))
            .group_by(PageDay.page_id)
        ).all())  # fmt: skip
    articles = db.session.execute(
        sa.select(Article.id, Article.title, Article.slug, Article.category_id).where(
            Article.id.in_(ids)
        )
    ).all()
    rows = [
        (a.id, a.title, a.slug, int(views.get(a.id, 0)), rest["signups"].get(a.id, 0),
         rest["confirmed"].get(a.id, 0), rest["clicks"].get(a.id, 0))
        for a in articles
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (-r[3], -r[4], -r[6], r[0]))


def section_funnel(days: int) -> list[tuple[int, str, int, int, int, int]]:
    """(category id, name, views, sign-ups, confirmed, donation clicks) of every section's
    articles in the period."""
    first = since(days)
    rest = _per_article(first)
    views = dict(db.session.execute(
        sa.select(PageDay.page_id, sa.func.sum(PageDay.views))
        .where(PageDay.page == "article", PageDay.day >= first)
        .group_by(PageDay.page_id)
    ).all())  # fmt: skip
    totals: dict[int, list] = {}
    names = dict(db.session.execute(sa.select(Category.id, Category.name)).all())
    ids = set(views) | set(rest["signups"]) | set(rest["clicks"])
    for article_id, category_id in db.session.execute(
        sa.select(Article.id, Article.category_id).where(Article.id.in_(ids))
    ):
        row = totals.setdefault(category_id, [0, 0, 0, 0])
        row[0] += int(views.get(article_id, 0))
        row[1] += rest["signups"].get(article_id, 0)
        row[2] += rest["confirmed"].get(article_id, 0)
        row[3] += rest["clicks"].get(article_id, 0)
    rows = [(cid, names.get(cid, "?"), *values) for cid, values in totals.items()]
    return sorted(rows, key=lambda r: (-r[2], r[1]))


def article_daily(article: Article) -> list[tuple[date, int]]:
    """(day, views) of one article from its publication (at most a year) to today."""
    start = (article.published_at or utcnow()).date()
    first = max(start, today() - timedelta(days=365))
    found = dict(db.session.execute(
        sa.select(PageDay.day, PageDay.views)
        .where(PageDay.page == "article", PageDay.page_id == article.id, PageDay.day >= first)
    ).all())  # fmt: skip
    days = (today() - first).days + 1
    return [(day, found.get(day, 0)) for day in (first + timedelta(days=n) for n in range(days))]


def article_referrers(article: Article, limit: int = 15) -> list[tuple[str, str, int]]:
    """(source, referrer host, views) of one article since it was published."""
    views = sa.func.sum(ViewDay.views).label("views")
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(ViewDay.source, ViewDay.referrer, views)
            .where(ViewDay.page == "article", ViewDay.page_id == article.id)
            .group_by(ViewDay.source, ViewDay.referrer)
            .order_by(views.desc(), ViewDay.source, ViewDay.referrer)
            .limit(limit)
        )
    ]


def article_totals(article: Article) -> dict[str, int]:
    """Views, sign-ups, confirmed sign-ups and donation clicks of one article, ever."""
    rest = _per_article(date(1970, 1, 1), article.id)
    views = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(PageDay.views), 0)).where(
            PageDay.page == "article", PageDay.page_id == article.id
        )
    )
    return {
        "views": int(views),
        "signups": rest["signups"].get(article.id, 0),
        "confirmed": rest["confirmed"].get(article.id, 0),
        "clicks": rest["clicks"].get(article.id, 0),
    }
