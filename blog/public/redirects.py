"""The redirect table for old addresses: keys, look-up, and the hooks that answer 301.

An imported site's links (`/2019/05/04/slug/`, `/?p=123`, `/category/x/feed/`,
`/wp-content/uploads/...`) are rows of `Redirect`. The table is consulted only where
the site would otherwise answer 404, and on `/` when it carries `?p=`, `?page_id=` or
`?attachment_id=` with a number (WordPress's own short links; one nothing here holds
is a 404, not the front page), so a normal page costs no query for it. `/?feed=...`
goes to the feed. An address with no row of its own that has a WordPress shape (a
feed, `/page/2/`, a paged post, a date archive, a resized image) goes to the nearest
page here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import Flask, abort, current_app, redirect, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from blog.core import errors
from blog.core.uploads import variant_name
from blog.extensions import db
from blog.models import Article, Page, Redirect, Upload

ID_ARGS = ("p", "page_id", "attachment_id")
# WordPress's shapes around an address: its feeds, its pages of a list, a paged post
# (/slug/2/), a page of comments. Stripped to find the address they belong to.
_FEED = re.compile(r"/feed(?:/(?:rss2?|atom|rdf))?$")
_PAGED = re.compile(r"/(page/|comment-page-)?(\d+)$")
_DATE_ARCHIVE = re.compile(r"^/\d{4}(?:/\d{1,2}){0,2}$")
_SITE_FEEDS = ("/feed", "/comments/feed")
# A size WordPress made of an upload: harbour-300x225.jpg beside harbour.jpg.
_RESIZED = re.compile(r"^(/.*)-(\d{1,5})x\d{1,5}(\.[a-z0-9]{3,4})$")
# Ghost's resized copy of an upload: /content/images/size/w600/(format/webp/)2024/03/a.jpg
_GHOST_SIZED = re.compile(r"^/content/images/size/w(\d{1,5})(?:h\d{1,5})?/(?:format/\w+/)?(.+)$")


def source_key(path: str, args: Mapping[str, str] | None = None) -> str:
    """The key a path and query are stored and looked up under.

    Percent-decoded, lower-cased, without a trailing slash; of the query only `p` or
    `page_id` with a number is kept (`/?p=12`), so tracking parameters do not matter.
    """
    key = unquote(path).rstrip("/").lower() or "/"
    for name in ID_ARGS:
        value = (args or {}).get(name, "")
        if value and value.isdigit():
            return f"{key}?{name}={int(value)}"
    return key[:500]


def key_of_url(url: str) -> str:
    """`source_key` of an absolute or relative URL (its path and query)."""
    parts = urlsplit(url.strip())
    args = dict(pair.partition("=")[::2] for pair in parts.query.split("&") if pair)
    return source_key(parts.path or "/", args)


def find(key: str) -> str | None:
    """The target stored for `key`, or None."""
    return db.session.scalar(sa.select(Redirect.target).where(Redirect.source == key))


def readers_see(target: str) -> bool:
    """False when `target` is an article or page readers cannot see (a draft, one in
    review, a scheduled one): a 301 there would reveal its address, though the address
    itself answers 404. Other targets are taken as they are."""
    path = unquote(urlsplit(target).path)
    if path.startswith("/article/"):
        slug = path.removeprefix("/article/")
        hidden = sa.and_(Article.slug == slug, sa.not_(Article.is_public_clause()))
    elif path.startswith("/pages/"):
        hidden = sa.and_(Page.slug == path.removeprefix("/pages/"), sa.not_(Page.published))
    else:
        return True
    # An address nothing holds reveals nothing: it is followed (to a 404, or on to
    # where that article's slug moved).
    model = Article if path.startswith("/article/") else Page
    return db.session.scalar(sa.select(model.id).where(hidden)) is None


def old_link_response() -> Response | None:
    """A 301 to where the current request's address lives now, if the table knows it
    and readers may see what is there (no old link reveals a hidden article's slug)."""
    if request.method not in ("GET", "HEAD"):
        return None
    target = find(source_key(request.path, request.args))
    if target is None and request.url_rule is None:  # a view's own 404 stays a 404
        target = nearest(request.path)
    if not target or target == request.path or not readers_see(target):
        return None
    return redirect(target, code=301)


def nearest(path: str) -> str | None:
    """The nearest page here for a WordPress address that has no row of its own: a
    feed goes to the feed (or to the page it was the feed of: tags have no feed here),
    `/page/2/` to `?page=2` of its list, a paged post or a page of its comments to the
    article, a date archive to the front page, a resized copy (WordPress's
    `-300x200.jpg`, Ghost's `size/w600/`) to the nearest size here. None when `path`
    is no such shape."""
    key = unquote(path).rstrip("/").lower()
    if key in _SITE_FEEDS or key.startswith(tuple(f"{feed}/" for feed in _SITE_FEEDS)):
        return "/feed.xml"
    if _DATE_ARCHIVE.match(key):
        return "/"
    if resized := _RESIZED.match(key):
        return nearest_size(resized[1] + resized[3], int(resized[2]))
    if sized := _GHOST_SIZED.match(key):
        return nearest_size(f"/content/images/{sized[2]}", int(sized[1]))
    page, bare = 0, False
    if feed := _FEED.search(key):
        rest = key[: feed.start()]
    elif paged := _PAGED.search(key):
        rest, page = key[: paged.start()], int(paged[2]) if paged[1] == "page/" else 0
        bare = not paged[1]  # /slug/2: only an imported post's page
        if not rest and bare:
            return None
    else:
        return None
    if not rest or _DATE_ARCHIVE.match(rest):
        return f"/?page={page}" if page > 1 else "/"
    target = find(source_key(rest)) or (rest if not bare and routed(rest) else None)
    if target is None:
        return None
    listing = not target.startswith(("/article/", "/pages/"))
    return f"{target}?page={page}" if page > 1 and listing else target


def nearest_size(original: str, width: int) -> str | None:
    """The upload here that `original` (a WordPress upload's address) became, in the
    variant nearest `width` that is at least as wide (else the full size)."""
    target = find(source_key(original))
    if not target or not target.startswith("/uploads/"):
        return target
    filename = target.removeprefix("/uploads/")
    widths = db.session.scalar(sa.select(Upload.variant_widths).where(Upload.filename == filename))
    sizes = [int(w) for w in (widths or "").split(",") if w.isdigit()]
    wide_enough = [w for w in sizes[:-1] if w >= width]  # the last is the full size
    return f"/uploads/{variant_name(filename, min(wide_enough))}" if wide_enough else target


def routed(path: str) -> bool:
    """Whether `path` is an address of this site's own pages (not a 404 or a redirect)."""
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:  # NotFound, MethodNotAllowed, RequestRedirect
        return False
    return True


def init_app(app: Flask) -> None:
    errors.on_not_found(app, old_link_response)

    @app.before_request
    def wordpress_short_link() -> Response | None:
        # `/?p=123` is the home page to Flask; only these arguments cost a look-up.
        if request.path != "/":
            return None
        if "feed" in request.args:  # /?feed=rss2, /?feed=atom, /?feed=comments-rss2
            return redirect("/feed.xml", code=301)
        if any(request.args.get(name, "").isdigit() for name in ID_ARGS):
            # An id nothing here holds (or a hidden item's) is not the front page.
            return old_link_response() or abort(404)
        return None
