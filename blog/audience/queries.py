"""The numbers the audience pages show, read from the daily tables only.

No query here reads raw views: a dashboard costs the same at 10 million raw views as at
ten (bench/README.md, "Audience"). Each function returns plain rows (tuples of numbers
and text) that the charts, the tables beside them and the CSV files all share. "Today"
counts what the worker has rolled up so far (every minute).
"""

from __future__ import annotations

import functools
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


class Period:
    """The last `days` days, each daily table read at most once however many charts
    and tables use it (a dashboard shows about a dozen of them)."""

    def __init__(self, days: int, last: date | None = None):
        self.days = days
        self.last = last or today()
        self.first = self.last - timedelta(days=days - 1)

    @functools.cached_property
    def page_views(self) -> dict[tuple[str, int], int]:
        """(page, page id) -> views in the period."""
        rows = db.session.execute(
            sa.select(PageDay.page, PageDay.page_id, sa.func.sum(PageDay.views))
            .where(PageDay.day.between(self.first, self.last))
            .group_by(PageDay.page, PageDay.page_id)
        )
        return {(page, page_id): int(n) for page, page_id, n in rows}

    @functools.cached_property
    def article_views(self) -> dict[int, int]:
        return {i: n for (page, i), n in self.page_views.items() if page == "article"}

    @functools.cached_property
    def source_rows(self) -> list[tuple[str, str, str, str, int]]:
        """(source, referrer, UTM source, UTM campaign, views) in the period."""
        return [
            (source, referrer, utm_source, utm_campaign, int(n))
            for source, referrer, utm_source, utm_campaign, n in db.session.execute(
                sa.select(SourceDay.source, SourceDay.referrer, SourceDay.utm_source,
                          SourceDay.utm_campaign, sa.func.sum(SourceDay.views))
                .where(SourceDay.day.between(self.first, self.last))
                .group_by(SourceDay.source, SourceDay.referrer, SourceDay.utm_source,
                          SourceDay.utm_campaign)
            )
        ]  # fmt: skip

    @functools.cached_property
    def categories(self) -> dict[int, int]:
        """Article id -> category id, for the articles read or converting in the period."""
        ids = (
            set(self.article_views)
            | set(self.conversions["signups"])
            | set(self.conversions["clicks"])
        )
        if not ids:
            return {}
        return dict(db.session.execute(
            sa.select(Article.id, Article.category_id).where(Article.id.in_(ids))
        ).all())  # fmt: skip

    @functools.cached_property
    def conversions(self) -> dict[str, dict[int, int]]:
        return _per_article(self.first, last=self.last)


def _largest(counts: dict, limit: int | None = None) -> list[tuple]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ordered[:limit] if limit is not None else ordered


def _titles(ids) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Article.id, Article.title, Article.slug).where(Article.id.in_(list(ids)))
    )
    return {i: (title, slug) for i, title, slug in rows}


def top_articles(period: Period, limit: int = 10) -> list[tuple[int, str, str, int]]:
    """(article id, title, slug, views) of the most read articles of the period."""
    top = [(i, n) for i, n in _largest(period.article_views)]
    titles = _titles([i for i, _ in top[: limit * 2]])  # deleted articles drop out
    return [(i, *titles[i], n) for i, n in top if i in titles][:limit]


def top_sections(period: Period) -> list[tuple[int, str, int]]:
    """(category id, name, views) of each section: its own page and its articles."""
    totals: dict[int, int] = {}
    for (page, page_id), n in period.page_views.items():
        if page == "section":
            totals[page_id] = totals.get(page_id, 0) + n
    for article_id, n in period.article_views.items():
        category = period.categories.get(article_id)
        if category is not None:
            totals[category] = totals.get(category, 0) + n
    names = dict(db.session.execute(sa.select(Category.id, Category.name)).all())
    return [(i, names[i], n) for i, n in _largest(totals) if i in names]


def sources(period: Period) -> list[tuple[str, int]]:
    """(source, views) for the period, largest first."""
    totals: dict[str, int] = {}
    for source, _, _, _, n in period.source_rows:
        totals[source] = totals.get(source, 0) + n
    return _largest(totals)


def shares(period: Period) -> list[tuple[str, int, float]]:
    """(source, views, percent of all views) for the newsletter, search and social."""
    found = dict(sources(period))
    total = sum(found.values())
    return [
        (name, found.get(name, 0), round(100 * found.get(name, 0) / total, 1) if total else 0.0)
        for name in SHARED_SOURCES
    ]


def referrers(period: Period, limit: int = 15) -> list[tuple[str, str, int]]:
    """(referrer host, source, views) of the other sites that sent readers."""
    totals: dict[tuple[str, str], int] = {}
    for source, referrer, _, _, n in period.source_rows:
        if referrer:
            totals[(referrer, source)] = totals.get((referrer, source), 0) + n
    return [(*key, n) for key, n in _largest(totals, limit)]


def campaigns(period: Period, limit: int = 15) -> list[tuple[str, str, int]]:
    """(UTM source, UTM campaign, views) of tagged links."""
    totals: dict[tuple[str, str], int] = {}
    for _, _, utm_source, utm_campaign, n in period.source_rows:
        if utm_source or utm_campaign:
            key = (utm_source, utm_campaign)
            totals[key] = totals.get(key, 0) + n
    return [(*key, n) for key, n in _largest(totals, limit)]


def _per_article(
    first: date, article_id: int | None = None, last: date | None = None
) -> dict[str, dict[int, int]]:
    """Sign-ups, confirmed sign-ups and donation clicks by article since `first` (of one
    article, or of every one). Sign-ups are the subscribers whose form was on the article
    (subscriber.from_article_id); clicks are the appeal's counted redirects."""
    start = datetime.combine(first, time.min, tzinfo=UTC)
    signup_filter = [Subscriber.from_article_id.is_not(None), Subscriber.created_at >= start]
    click_filter = [DonationClick.article_id != 0, DonationClick.day >= first]
    if last is not None:
        end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
        signup_filter.append(Subscriber.created_at < end)
        click_filter.append(DonationClick.day <= last)
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


def funnel(period: Period, limit: int = 20) -> list[tuple[int, str, str, int, int, int, int]]:
    """(article id, title, slug, views, sign-ups, confirmed, donation clicks): the
    reader revenue funnel of the period's most read articles, and of every article that
    brought a sign-up or a donation click."""
    rest = period.conversions
    ids = {i for i, _ in _largest(period.article_views, limit)}
    ids |= set(rest["signups"]) | set(rest["clicks"])
    titles = _titles(ids)
    rows = [
        (i, *titles[i], period.article_views.get(i, 0), rest["signups"].get(i, 0),
         rest["confirmed"].get(i, 0), rest["clicks"].get(i, 0))
        for i in ids
        if i in titles
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (-r[3], -r[4], -r[6], r[0]))


def section_funnel(period: Period) -> list[tuple[int, str, int, int, int, int]]:
    """(category id, name, views, sign-ups, confirmed, donation clicks) of every section's
    articles in the period."""
    rest = period.conversions
    totals: dict[int, list[int]] = {}
    for article_id, category_id in period.categories.items():
        row = totals.setdefault(category_id, [0, 0, 0, 0])
        row[0] += period.article_views.get(article_id, 0)
        row[1] += rest["signups"].get(article_id, 0)
        row[2] += rest["confirmed"].get(article_id, 0)
        row[3] += rest["clicks"].get(article_id, 0)
    names = dict(db.session.execute(sa.select(Category.id, Category.name)).all())
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
