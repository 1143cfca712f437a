"""Machine-readable lists for news aggregators: the Google News sitemap (articles of
the last two days) and JSON Feed 1.1 beside each Atom feed."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from blog.core.cache.site import get_settings
from blog.core.imagesets import image_url
from blog.core.templating import absolute_url, iso_datetime
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article
from blog.trust.bylines import person_url

NEWS_WINDOW = timedelta(days=2)  # Google News reads articles of the last two days
NEWS_LIMIT = 1000  # and at most 1,000 of them per sitemap
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def news_articles() -> list[sa.Row]:
    """(slug, title, published_at) of the public articles of the last two days."""
    return list(
        db.session.execute(
            sa.select(Article.slug, Article.title, Article.published_at)
            .where(Article.is_public_clause(), Article.published_at >= utcnow() - NEWS_WINDOW)
            .order_by(Article.published_at.desc(), Article.id.desc())
            .limit(NEWS_LIMIT)
        )
    )


def json_feed(
    articles: list[Article], title: str, feed_url: str, home_url: str, language: str
) -> dict:
    """A JSON Feed 1.1 document of `articles` (loaded with Article.listing())."""
    site_url = absolute_url("public.index").rstrip("/")

    def item(article: Article) -> dict:
        url = absolute_url("public.article", slug=article.slug)
        data = {
            "id": url,
            "url": url,
            "title": article.title,
            "content_html": article.body_html,
            "date_published": iso_datetime(article.published_at),
            "date_modified": iso_datetime(article.updated_at),
            "authors": [{"name": p.name, "url": site_url + person_url(p)} for p in article.credits],
            "tags": [t.name for t in article.tags],
        }
        if article.summary:
            data["summary"] = article.summary
        if picture := image_url(article):
            data["image"] = site_url + picture
        return data

    return {
        "version": JSON_FEED_VERSION,
        "title": title,
        "home_page_url": home_url,
        "feed_url": feed_url,
        "description": get_settings()["tagline"],
        "language": language,
        "authors": [{"name": get_settings()["site_name"], "url": site_url + "/"}],
        "items": [item(a) for a in articles],
    }
