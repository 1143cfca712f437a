"""Views of the public site: home, sections, tags, authors, articles, pages, search,
feeds, sitemap, robots.txt, health check and uploaded images.

Everything here is read-only and anonymous-friendly: `create_app` adds ETag and
`Cache-Control: public` to anonymous responses, so a proxy or CDN can serve them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
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
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from werkzeug.wrappers import Response

from blog.auth.api import normalize_username
from blog.comments.api import comment_section
from blog.core.cache.memo import fragment, lookup
from blog.core.cache.site import get_settings
from blog.core.content import clean_text
from blog.core.imagesets import ImageSet, image_set
from blog.core.media import MEDIA_TYPES
from blog.core.pagination import Pager, current_page, paginate, per_page
from blog.core.search import search as run_search
from blog.core.templating import absolute_url, json_script, rendered
from blog.extensions import db
from blog.models import Article, Category, GuestAuthor, Page, Role, Tag, User, article_tag
from blog.public import queries
from blog.public.article_page import article_page
from blog.public.front import home_cards, pinned_first
from blog.public.structured import home_ld
from blog.trust.api import credited_clause, guest_clause

bp = Blueprint("public", __name__)

UPLOAD_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
UPLOAD_MAX_AGE = 365 * 24 * 3600  # uploads get random names and never change
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
MAX_QUERY_LENGTH = 200  # of the search box echo; search itself reads the first 500


@dataclass(frozen=True)
class ListPage:
    """One page of a list as every reader sees it: the rendered cards (a fragment) and
    what the live template needs around them (the pagination macro reads `pager`)."""

    html: Markup
    pager: Pager

    @property
    def nbytes(self) -> int:
        return len(self.html)


def list_page(
    key: tuple,
    listing: Callable[[], sa.Select],
    template: str,
    cards: Callable[[Pagination], dict] | None = None,
) -> ListPage:
    """The `?page=` page of a list, rendered once per content and comments version
    (its cards show comment counts; see fragment()).

    `key` identifies the list (it also keys the cached total). The template gets the
    pager, plus what `cards(pager)` returns when given. A malformed or out-of-range
    page aborts 404 as before; aborts are never kept.
    """

    def render() -> ListPage:
        pager = paginate(listing(), key)
        html = rendered(template, pager=pager, **(cards(pager) if cards else {}))
        return ListPage(html, Pager(pager.page, pager.per_page, pager.total))

    return fragment(("list", *key, current_page()), render, shows_comments=True)


@bp.get("/")
def index() -> str:
    listed = list_page(("home",), Article.listing, "public/_index_main.html", home_cards)
    # The first page's WebSite and publisher data: the same for every reader.
    json_ld = (
        fragment(("home-ld",), lambda: json_script(home_ld())) if listed.pager.page == 1 else None
    )
    return render_template(
        "public/index.html", cards=listed.html, pager=listed.pager, json_ld=json_ld
    )


@dataclass(frozen=True)
class Section:
    id: int
    name: str
    slug: str
    description: str
    feed_url: str


@bp.get("/category/<slug>")
def category(slug: str) -> str:
    def find() -> Section | None:
        found = db.session.scalar(sa.select(Category).where(Category.slug == slug))
        if found is None:
            return None
        feed_url = url_for("public.category_feed", slug=found.slug)
        return Section(found.id, found.name, found.slug, found.description, feed_url)

    section = lookup(("category", slug), find)
    if section is None:
        abort(404)
    listed = list_page(
        ("category", section.id),
        lambda: Article.listing().where(Article.category_id == section.id),
        "public/_article_list.html",
        lambda pager: pinned_first(section.id, pager),
    )
    return render_template(
        "public/category.html",
        category=section,
        cards=listed.html,
        pager=listed.pager,
        active_category=section.slug,
    )


@dataclass(frozen=True)
class TagFacts:
    id: int
    name: str
    slug: str
    description: str = ""


@bp.get("/tag/<slug>")
def tag(slug: str) -> str:
    def find() -> TagFacts | None:
        found = db.session.scalar(sa.select(Tag).where(Tag.slug == slug))
        return (
            None if found is None else TagFacts(found.id, found.name, found.slug, found.description)
        )

    found = lookup(("tag", slug), find)
    if found is None:
        abort(404)

    def listing() -> sa.Select:
        # From the association table alone: joining `article` here read every tagged
        # article's full row (bench/README.md, "Query shapes").
        tagged = sa.select(article_tag.c.article_id).where(article_tag.c.tag_id == found.id)
        return Article.listing().where(Article.id.in_(tagged))

    listed = list_page(("tag", found.id), listing, "public/_article_list.html")
    return render_template("public/tag.html", tag=found, cards=listed.html, pager=listed.pager)


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    bio: str
    username: str
    role: int
    fediverse: str = ""


@bp.get("/author/<username>")
def author(username: str) -> str | Response:
    def find() -> Person | None:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            return None
        return Person(user.id, user.name, user.bio, user.username, user.role, user.fediverse)

    person = lookup(("author", username), find)
    if person is None:
        canonical = normalize_username(username)
        if canonical != username and db.session.scalar(
            sa.select(User.id).where(User.username == canonical)
        ):
            return redirect(url_for("public.author", username=canonical), 301)
        abort(404)
    listed = list_page(
        ("author", person.id),
        lambda: Article.listing().where(credited_clause(person.id)),
        "public/_article_list.html",
    )
    # Readers have no public profile; a former author keeps the page of their articles.
    if person.role < Role.AUTHOR and listed.pager.total == 0:
        abort(404)
    return render_template(
        "public/author.html", person=person, cards=listed.html, pager=listed.pager
    )


@dataclass(frozen=True)
class Guest:
    id: int
    name: str
    bio: str
    slug: str
    links: tuple[str, ...]
    fediverse: str
    photo: ImageSet | None


@bp.get("/contributors/<slug>")
def contributor(slug: str) -> str:
    """A guest contributor's page: their profile and every article crediting them."""

    def find() -> Guest | None:
        guest = db.session.scalar(sa.select(GuestAuthor).where(GuestAuthor.slug == slug))
        if guest is None:
            return None
        holder = SimpleNamespace(image=guest.photo, image_path="")
        photo = image_set(holder, thumb=True) if guest.photo else None
        return Guest(guest.id, guest.name, guest.bio, guest.slug, tuple(guest.link_list),
                     guest.fediverse, photo)  # fmt: skip

    guest = lookup(("contributor", slug), find)
    if guest is None:
        abort(404)
    listed = list_page(
        ("contributor", guest.id),
        lambda: Article.listing().where(guest_clause(guest.id)),
        "public/_article_list.html",
    )
    return render_template(
        "public/author.html", person=guest, cards=listed.html, pager=listed.pager
    )


@bp.get("/article/<slug>")
def article(slug: str) -> str | Response:
    page = fragment(("article", slug), lambda: article_page(slug))
    if page is None:
        new_slug = queries.redirected_slug(slug)
        if new_slug is None:
            abort(404)
        return redirect(url_for("public.article", slug=new_slug), 301)
    viewer = current_user._get_current_object() if current_user.is_authenticated else None
    return render_template(
        "public/article.html",
        article=page,
        parts=page,
        comments=comment_section(page, viewer),
        active_category=page.category_slug,
    )


def site_url() -> str:
    return current_app.config["SITE_URL"].rstrip("/")


@bp.get("/pages/<slug>")
def page(slug: str) -> str:
    found = db.first_or_404(sa.select(Page).where(Page.slug == slug, Page.published))
    return render_template("public/page.html", page=found)


@bp.get("/search")
def search() -> str:
    query = clean_text(request.args.get("q", "")).strip()
    page_number = current_page()
    size = per_page()
    hits, total = run_search(query, page_number, size) if query else ([], 0)
    pager = Pager(page_number, size, total, hits)
    if page_number > 1 and page_number > pager.pages:
        abort(404)
    return render_template(
        "public/search.html", query=query[:MAX_QUERY_LENGTH], pager=pager, hits=hits
    )


def atom(articles: list[Article], title: str, feed_url: str, alternate_url: str) -> Response:
    # An empty feed's <updated> is fixed, not "now": the same data gives the same feed
    # (caches and validators; a clock in the body would make every copy stale at once).
    updated = max((a.updated_at for a in articles), default=None) or EMPTY_FEED_UPDATED
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
    pages = db.session.scalars(Page.visible()).all()
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
        f"Sitemap: {absolute_url('trust.news_sitemap')}",
        "",
    ]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 {"status": "ok", "database": "ok", "proxy_hops": N} or 503 when the database
    does not answer."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        body, code = {"status": "ok", "database": "ok"}, 200
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("health check: database query failed")
        body, code = {"status": "error", "database": "unavailable"}, 503
    # How many proxies forwarded this request, for `blog doctor` to hold against
    # PROXY_COUNT (ProxyFix keeps the header as it arrived).
    forwarded = request.environ.get("werkzeug.proxy_fix.orig", {}).get(
        "HTTP_X_FORWARDED_FOR"
    ) or request.headers.get("X-Forwarded-For", "")
    body["proxy_hops"] = len([hop for hop in forwarded.split(",") if hop.strip()])
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, code


@bp.get("/uploads/<path:filename>")
def upload(filename: str) -> Response:
    """An uploaded image, or an audio, video or PDF file (blog/core/media.py), from
    <instance>/uploads/; other file types are 404. A PDF is sent as a download: it is
    an active document (scripts, forms) that must not open inside this site's origin."""
    suffix = Path(filename).suffix.lower()
    mimetype, kind = UPLOAD_TYPES.get(suffix), ""
    if mimetype is None and suffix in MEDIA_TYPES:
        mimetype, kind = MEDIA_TYPES[suffix]
    if mimetype is None:
        abort(404)
    # send_from_directory refuses paths that leave the folder (404); it answers Range
    # requests, which players need to seek.
    response = send_from_directory(
        Path(current_app.instance_path) / "uploads",
        filename,
        mimetype=mimetype,
        max_age=UPLOAD_MAX_AGE,
        as_attachment=kind == "document",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.immutable = True
    return response
