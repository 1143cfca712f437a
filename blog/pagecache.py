"""A cache of rendered pages for anonymous readers.

Keys carry the shared content version (`blog.database.current_version`), which every
change to content, comments or settings moves in the database: after a change, the
next request in any worker builds a new key and renders afresh, whatever backend holds
the pages. Old entries are never served again and age out.

Only requests with no session or remember cookie are looked up, and only responses
that `set_cache_headers` found public (anonymous GET, 200, no cookie set, session
untouched) are stored. Backends (Flask-Caching): `SimpleCache` in each process (the
default, needs nothing), `FileSystemCache` shared by the workers of one server, or
`RedisCache` with `CACHE_REDIS_URL` for several servers.
"""

import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, g, request
from flask_caching import Cache

from blog.database import current_version

cache = Cache()

# Prefixes never cached: per-user pages, files Flask or nginx serve cheaply anyway,
# and monitoring, which must see the live database.
SKIP_PREFIXES = ("/admin", "/auth", "/comments", "/static", "/uploads", "/healthz")


def init_app(app: Flask) -> None:
    app.config.setdefault("PAGE_CACHE", True)
    app.config.setdefault("CACHE_TYPE", "SimpleCache")
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", 600)
    app.config.setdefault("CACHE_THRESHOLD", 2000)
    app.config.setdefault("CACHE_DIR", str(Path(app.instance_path) / "cache"))
    app.config.setdefault("CACHE_KEY_PREFIX", "newsroom:")
    cache.init_app(app)
    app.before_request(serve)


def _eligible() -> bool:
    from blog import is_anonymous_request

    return (
        current_app.config["PAGE_CACHE"]
        and request.method in ("GET", "HEAD")
        and not request.path.startswith(SKIP_PREFIXES)
        and is_anonymous_request(current_app)
    )


def _key() -> str:
    path = hashlib.sha256(request.full_path.encode("utf-8", "surrogateescape")).hexdigest()
    return f"page:{current_version()}:{path}"


def serve() -> Response | None:
    """Answer from the cache when an anonymous reader asks for a stored page."""
    if not _eligible():
        return None
    entry = cache.get(_key())
    if entry is None:
        return None
    body, mimetype = entry
    g._page_from_cache = True
    response = Response(body, mimetype=mimetype)
    response.headers["X-Cache"] = "HIT"
    return response


def store(response: Response) -> None:
    """Keep a public page for the next anonymous reader (called by the header hook)."""
    if g.get("_page_from_cache") or not _eligible() or response.status_code != 200:
        return
    cache.set(_key(), (response.get_data(), response.mimetype))
    response.headers["X-Cache"] = "MISS"
