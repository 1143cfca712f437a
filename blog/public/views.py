"""Views of the public site: home, sections, tags, authors, articles, pages, search,
feeds, sitemap, robots.txt, health check and uploaded images.

Everything here is read-only and anonymous-friendly: `create_app` adds ETag and
`Cache-Control: public` to anonymous responses, so a proxy or CDN can serve them.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from blog.auth.rules import normalize_username
from blog.comments.queries import thread
from blog.content import clean_text, excerpt
from blog.extensions import db
from blog.models import Article, Category, Page, Role, Tag, User
from blog.public import queries
from blog.search import search as run_search
from blog.settings import get_settings
from blog.templating import absolute_url
from blog.types import utcnow

bp = Blueprint("public", __name__)

# An edit this long after publication is shown as "Updated"; quick typo fixes are not.
UPDATED_AFTER = timedelta(hours=1)
UPLOAD_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
UPLOAD_MAX_AGE = 365 * 24 * 3600  # uploads get random names and never change
MAX_QUERY_LENGTH = 200  # of the search box echo; search itself reads the first 500


@bp.get("/")
def index() -> str:
    pager = queries.paginate(Article.listing(), ("home",))
    items = list(pager.items)
    lead = items.pop(0) if items and pager.page == 1 else None
    return render_template("public/index.html", pager=pager, lead=lead, articles=items)


@bp.get("/category/<slug>")
def category(slug: str) -> str:
    section = db.first_or_404(sa.select(Category).where(Category.slug == slug))
    pager = queries.paginate(
        Article.listing().where(Article.category_id == section.id), ("category", section.id)
    )
    return render_template(
        "public/category.html", category=section, pager=pager, active_category=section.slug
    )


@bp.get("/tag/<slug>")
def tag(slug: str) -> str:
    found = db.first_or_404(sa.select(Tag).where(Tag.slug == slug))
    tagged = sa.select(Article.id).join(Article.tags).where(Tag.id == found.id)
    pager = queries.paginate(Article.listing().where(Article.id.in_(tagged)), ("tag", found.id))
    return render_template("public/tag.html", tag=found, pager=pager)


@bp.get("/author/<username>")
def author(username: str) -> str | Response:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        canonical = normalize_username(username)
        if canonical != username and db.session.scalar(
            sa.select(User.id).where(User.username == canonical)
        ):
            return redirect(url_for("public.author", username=canonical), 301)
        abort(404)
    pager = queries.paginate(
        Article.listing().where(Article.author_id == user.id), ("author", user.id)
    )
    # Readers have no public profile; a former author keeps the page of their articles.
    if user.role < Role.AUTHOR and pager.total == 0:
        abort(404)
    return render_template("public/author.html", person=user, pager=pager)


@bp.get("/article/<slug>")
def article(slug: str) -> str | Response:
    found = queries.public_article(slug)
    if found is None:
        new_slug = queries.redirected_slug(slug)
        if new_slug is None:
            abort(404)
        return redirect(url_for("public.article", slug=new_slug), 301)
    url = absolute_url("public.article", slug=found.slug)
    previous, following = queries.neighbours(found)
    updated = (
        found.updated_at
        if found.updated_at and found.updated_at - found.published_at > UPDATED_AFTER
        else None
    )
    return render_template(
        "public/article.html",
        article=found,
        url=url,
        updated=updated,
        description=found.summary or excerpt(found.body_html),
        related=queries.related_teasers(found),
        previous=previous,
        next_article=following,
        share_links=queries.share_links(found.title, url),
        json_ld=news_article_ld(found, url, updated),
        thread=thread(found, current_user),
        active_category=found.category.slug,
    )


def news_article_ld(article: Article, url: str, updated) -> dict:  # noqa: ANN001
    """schema.org NewsArticle data; the template writes it with |tojson (</script>-safe)."""
    site = get_settings()
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.summary,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": article.published_at.isoformat(),
        "dateModified": (updated or article.published_at).isoformat(),
        "articleSection": article.category.name,
        "keywords": [t.name for t in article.tags],
        "publisher": {
            "@type": "Organization",
            "name": site["site_name"],
            "url": absolute_url("public.index"),
        },
    }
    if article.author is not None:
        data["author"] = {
            "@type": "Person",
            "name": article.author.name,
            "url": absolute_url("public.author", username=article.author.username),
        }
    if article.image_url:
        data["image"] = [site_url() + article.image_url]
    return data


def site_url() -> str:
    return current_app.config["SITE_URL"].rstrip("/")


@bp.get("/pages/<slug>")
def page(slug: str) -> str:
    found = db.first_or_404(sa.select(Page).where(Page.slug == slug))
    return render_template("public/page.html", page=found)


@bp.get("/search")
def search() -> str:
    query = clean_text(request.args.get("q", "")).strip()
    page_number = queries.current_page()
    size = queries.per_page()
    hits, total = run_search(query, page_number, size) if query else ([], 0)
    pager = queries.Pager(page_number, size, total, hits)
    if page_number > 1 and page_number > pager.pages:
        abort(404)
    return render_template(
        "public/search.html", query=query[:MAX_QUERY_LENGTH], pager=pager, hits=hits
    )


def atom(articles: list[Article], title: str, feed_url: str, alternate_url: str) -> Response:
    updated = max((a.updated_at for a in articles), default=None) or utcnow()
    body = render_template(
        "public/feed.xml",
        articles=articles,
        title=title,
        feed_url=feed_url,
        alternate_url=alternate_url,
        updated=updated,
        site_url=site_url(),
        feed_host=urlsplit(site_url()).hostname or "localhost",
    )
    return Response(body, mimetype="application/atom+xml")


@bp.get("/feed.xml")
def feed() -> Response:
    return atom(
        queries.latest(queries.FEED_LIMIT),
        get_settings()["site_name"],
        absolute_url("public.feed"),
        absolute_url("public.index"),
    )


@bp.get("/category/<slug>/feed.xml")
def category_feed(slug: str) -> Response:
    section = db.first_or_404(sa.select(Category).where(Category.slug == slug))
    return atom(
        queries.latest(queries.FEED_LIMIT, category_id=section.id),
        f"{section.name} | {get_settings()['site_name']}",
        absolute_url("public.category_feed", slug=section.slug),
        absolute_url("public.category", slug=section.slug),
    )


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    categories = db.session.scalars(Category.ordered()).all()
    pages = db.session.scalars(sa.select(Page).order_by(Page.position, Page.title)).all()
    body = render_template(
        "public/sitemap.xml",
        categories=categories,
        pages=pages,
        articles=queries.sitemap_articles(),
    )
    return Response(body, mimetype="application/xml")


@bp.get("/robots.txt")
def robots() -> Response:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /auth/",
        "Disallow: /search",
        f"Sitemap: {absolute_url('public.sitemap')}",
        "",
    ]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 {"status": "ok", "database": "ok"} or 503 when the database does not answer."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        body, code = {"status": "ok", "database": "ok"}, 200
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("health check: database query failed")
        body, code = {"status": "error", "database": "unavailable"}, 503
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, code


@bp.get("/uploads/<path:filename>")
def upload(filename: str) -> Response:
    """An uploaded image from <instance>/uploads/; other file types are 404."""
    mimetype = UPLOAD_TYPES.get(Path(filename).suffix.lower())
    if mimetype is None:
        abort(404)
    # send_from_directory refuses paths that leave the folder (404).
    response = send_from_directory(
        Path(current_app.instance_path) / "uploads",
        filename,
        mimetype=mimetype,
        max_age=UPLOAD_MAX_AGE,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.immutable = True
    return response
