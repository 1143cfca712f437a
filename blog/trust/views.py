"""The trust pages: /corrections (every note on a public article, newest first), the
Google News sitemap, the JSON Feeds beside the Atom ones, and "Republish this story"
with its counting pixel (blog/trust/republish.py)."""

from __future__ import annotations

import json

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, current_app, render_template, request
from werkzeug.wrappers import Response

from blog.core.cache.site import get_settings
from blog.core.pagination import paginate
from blog.core.templating import absolute_url
from blog.extensions import db
from blog.models import Article, ArticleCorrection, Category
from blog.public.api import FEED_LIMIT, latest
from blog.trust.feeds import json_feed, news_articles
from blog.trust.republish import PIXEL, count_view, license_of_site, republishable, site_of

bp = Blueprint("trust", __name__)


@bp.get("/corrections")
def corrections() -> str:
    query = (
        sa.select(ArticleCorrection)
        .join(Article, Article.id == ArticleCorrection.article_id)
        .where(Article.is_public_clause())
        .options(so.contains_eager(ArticleCorrection.article))
        .order_by(ArticleCorrection.created_at.desc(), ArticleCorrection.id.desc())
    )
    pager = paginate(query, ("corrections",))
    return render_template("trust/corrections.html", pager=pager)


@bp.get("/sitemap-news.xml")
def news_sitemap() -> Response:
    body = render_template(
        "trust/sitemap-news.xml",
        articles=news_articles(),
        name=get_settings()["site_name"],
        language=current_app.config["SITE_LANGUAGE"],
    )
    return Response(body, mimetype="application/xml")


def json_feed_response(articles, title: str, feed_url: str, home_url: str) -> Response:
    feed = json_feed(articles, title, feed_url, home_url, current_app.config["SITE_LANGUAGE"])
    return Response(json.dumps(feed, ensure_ascii=False), mimetype="application/feed+json")


@bp.get("/feed.json")
def feed() -> Response:
    return json_feed_response(
        latest(FEED_LIMIT),
        get_settings()["site_name"],
        absolute_url("trust.feed"),
        absolute_url("public.index"),
    )


@bp.get("/category/<slug>/feed.json")
def category_feed(slug: str) -> Response:
    section = db.first_or_404(sa.select(Category).where(Category.slug == slug))
    return json_feed_response(
        latest(FEED_LIMIT, category_id=section.id),
        f"{section.name} | {get_settings()['site_name']}",
        absolute_url("trust.category_feed", slug=section.slug),
        absolute_url("public.category", slug=section.slug),
    )


@bp.get("/article/<slug>/republish")
def republish(slug: str) -> str:
    """Republish this story: the HTML to copy, under the license in settings."""
    article = republishable(slug)
    name, url = license_of_site()
    canonical = absolute_url("public.article", slug=article.slug)
    snippet = render_template(
        "trust/republish_snippet.html",
        article=article,
        canonical=canonical,
        pixel=absolute_url("trust.republish_pixel", article_id=article.id),
        license_name=name,
        license_url=url,
    )
    return render_template(
        "trust/republish.html",
        article=article,
        snippet=snippet.strip(),
        canonical=canonical,
        license_name=name,
        license_url=url,
    )


@bp.get("/republished/<int:article_id>.gif")
def republish_pixel(article_id: int) -> Response:
    """The copy's counting pixel: one view for the site that loaded it, no cookie."""
    count_view(article_id, site_of(request.referrer))
    response = Response(PIXEL, mimetype="image/gif")
    response.headers["Cache-Control"] = "no-store"  # each view of the copy is one request
    return response
