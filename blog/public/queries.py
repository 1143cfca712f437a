"""Queries the public views share: an article by slug or old slug, teasers, related
articles, previous/next, feed and sitemap lists.

Caching (memos, fragments) lives in blog/core/cache/; this module only asks it.

Every function here costs a fixed number of SQL statements whatever the data size:
lists go through `Article.listing()` (author, category and image joined, tags in one
extra SELECT ... IN), so a page never runs a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.core.imagesets import ImageSet, image_set
from blog.extensions import db
from blog.models import Article, ArticleStatus, SlugRedirect, article_tag

RELATED_LIMIT = 4
RELATED_TAGS = 5  # the article's first tags (by name) that find related ones
RELATED_POOL = 50  # newest candidates taken per tag and from the category
FEED_LIMIT = 20
SITEMAP_LIMIT = 50_000  # the sitemap protocol's limit per file


def public_article(slug: str) -> Article | None:
    """The public article with this slug, author/category/image/tags loaded; else None.

    Drafts, articles in review and scheduled ones (published_at in the future) are None.
    """
    return db.session.scalars(Article.listing().where(Article.slug == slug)).unique().first()


def redirected_slug(old_slug: str) -> str | None:
    """The current slug of the public article that used to be at `old_slug`, if any."""
    return db.session.scalar(
        sa.select(Article.slug)
        .join(SlugRedirect, SlugRedirect.article_id == Article.id)
        .where(SlugRedirect.old_slug == old_slug, Article.is_public_clause())
    )


@dataclass(frozen=True)
class Teaser:
    """What a related-articles entry shows; plain data, so it can be memoized."""

    title: str
    slug: str
    category_name: str
    published_at: datetime
    image: ImageSet | None


def teasers(articles: list[Article]) -> list[Teaser]:
    """Related articles as plain Teasers (what the related list shows)."""
    return [
        Teaser(r.title, r.slug, r.category.name, r.published_at, image_set(r, thumb=True))
        for r in articles
    ]


def related(article: Article, limit: int = RELATED_LIMIT) -> list[Article]:
    """Public articles sharing the most tags with `article`, then others of its category.

    One statement whose work is bounded whatever the archive size: the candidates are
    the newest RELATED_POOL articles of each of its first tags and of its category;
    they are ranked by the number of shared tags, then by date.
    """
    pools = [
        sa.select(article_tag.c.article_id.label("id"), sa.literal(1).label("shared"))
        .where(article_tag.c.tag_id == tag.id, article_tag.c.article_id != article.id)
        .order_by(article_tag.c.article_id.desc())
        .limit(RELATED_POOL)
        .subquery()
        for tag in article.tags[:RELATED_TAGS]
    ]
    pools.append(
        sa.select(Article.id.label("id"), sa.literal(0).label("shared"))
        .where(Article.category_id == article.category_id, Article.id != article.id)
        .order_by(Article.id.desc())
        .limit(RELATED_POOL)
        .subquery()
    )
    candidates = sa.union_all(*(sa.select(pool) for pool in pools)).subquery()
    ranked = sa.select(candidates.c.id, sa.func.sum(candidates.c.shared).label("shared")).group_by(
        candidates.c.id
    )
    # Two statements on purpose: joining the ranked candidates to `article` in one
    # let SQLite drive the join from the (status, published_at) index and walk every
    # public article; by primary key it reads a few rows (bench/README.md, "Query
    # shapes").
    shared = {row.id: row.shared for row in db.session.execute(ranked)}
    # Public or not is checked in Python: with the check in SQL, SQLite again chose
    # the (status, published_at) index over the primary keys.
    found = db.session.scalars(
        sa.select(Article)
        .where(Article.id.in_(shared))
        .options(so.joinedload(Article.category), so.joinedload(Article.image))
    ).unique()
    public = [a for a in found if a.is_public]
    return sorted(public, key=lambda a: (-shared[a.id], -a.published_at.timestamp(), -a.id))[:limit]


@dataclass
class Neighbour:
    title: str
    slug: str


def neighbours_of(article: Article) -> tuple[Neighbour | None, Neighbour | None]:
    """The previous (older) and next (newer) public articles, in one statement.

    The article page keeps the result in its fragment (once per content version).
    """
    # Plain range bounds on published_at (ties broken by id in a filter): with
    # `a < x OR (a = x AND id < y)` SQLite could not use the index range and walked
    # back from today (bench/README.md, "Query shapes").
    when, ident = article.published_at, article.id
    older = (
        sa.select(sa.literal("prev").label("side"), Article.title, Article.slug)
        .where(
            # Older than a public article is public too, if published.
            Article.status == ArticleStatus.PUBLISHED,
            Article.published_at <= when,
            sa.not_(sa.and_(Article.published_at == when, Article.id >= ident)),
        )
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(1)
        .subquery()
    )
    newer = (
        sa.select(sa.literal("next").label("side"), Article.title, Article.slug)
        .where(
            Article.is_public_clause(),
            Article.published_at >= when,
            sa.not_(sa.and_(Article.published_at == when, Article.id <= ident)),
        )
        .order_by(Article.published_at.asc(), Article.id.asc())
        .limit(1)
        .subquery()
    )
    rows = db.session.execute(sa.union_all(sa.select(older), sa.select(newer))).all()
    found = {row.side: Neighbour(row.title, row.slug) for row in rows}
    return found.get("prev"), found.get("next")


def latest(limit: int, category_id: int | None = None) -> list[Article]:
    """The `limit` newest public articles (optionally of one category), for feeds."""
    query = Article.listing()
    if category_id is not None:
        query = query.where(Article.category_id == category_id)
    return list(db.session.scalars(query.limit(limit)).unique())


def sitemap_articles(limit: int = SITEMAP_LIMIT) -> list[sa.Row]:
    """(slug, updated_at) of the newest public articles; columns only, no objects."""
    return list(
        db.session.execute(
            sa.select(Article.slug, Article.updated_at)
            .where(Article.is_public_clause())
            .order_by(Article.published_at.desc(), Article.id.desc())
            .limit(limit)
        )
    )
