"""The redirect table for old addresses: keys, look-up, and the hooks that answer 301.

An imported site's links (`/2019/05/04/slug/`, `/?p=123`, `/category/x/feed/`,
`/wp-content/uploads/...`) are rows of `Redirect`. The table is consulted only where
the site would otherwise answer 404, and on `/` when it carries `?p=` or `?page_id=`
(WordPress's own short links), so a normal page costs no query for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import Flask, redirect, request
from werkzeug.wrappers import Response

from blog.extensions import db
from blog.models import Article, Page, Redirect

ID_ARGS = ("p", "page_id")


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
    if not target or target == request.path or not readers_see(target):
        return None
    return redirect(target, code=301)


def init_app(app: Flask) -> None:
    @app.before_request
    def wordpress_short_link() -> Response | None:
        # `/?p=123` is the home page to Flask; only these arguments cost a look-up.
        if request.path == "/" and any(name in request.args for name in ID_ARGS):
            return old_link_response()
        return None
