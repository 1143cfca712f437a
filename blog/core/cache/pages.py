"""A cache of rendered pages for anonymous readers, answered before Flask runs.

Keys carry the shared content and comments versions (`blog.core.cache.versions`), which
every change to content, comments or settings moves in the database, and a scheduled
publication moves when its time comes: after that, the next request in any worker
builds a new key and renders afresh, whatever backend holds the pages. Old entries are
never served again and age out.

Hits are answered by `PageCacheMiddleware`, a WSGI layer around the Flask app: for a
stored page a request costs a cookie check, one primary-key read of the version and
one cache get, without Flask's request context, session, login or routing. Everything
a hit must repeat is stored with the page: the status, every header the app set
(security headers, Cache-Control, ETag, Vary) and the body. So only a response Flask
itself produced for the same scheme, host, path and query is ever replayed, which is
also what keeps an untrusted Host (TRUSTED_HOSTS) from being served: Flask refuses it
and nothing is stored under it.

Only requests with no session or remember cookie are looked up, and only responses
that `set_cache_headers` (here too: the public/private decision) found public
(anonymous GET, 200, no cookie set, session untouched) are stored. Backends
(Flask-Caching): `SimpleCache` in each process (the default, needs nothing),
`FileSystemCache` shared by the workers of one server, or `RedisCache` with
`CACHE_REDIS_URL` for several servers.
"""

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request, session
from flask_caching import Cache
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import Headers
from werkzeug.http import is_resource_modified, parse_cookie, remove_entity_headers

from blog.core.cache.breaker import Breaker
from blog.core.cache.local import LocalPages, RecentVersions
from blog.core.cache.versions import Versions, read_versions, versions
from blog.core.state import hand_over, has_login_cookie, request_state

cache = Cache()

# Prefixes never cached: per-user pages, files Flask or nginx serve cheaply anyway,
# and monitoring, which must see the live database.
SKIP_PREFIXES = ("/admin", "/auth", "/comments", "/static", "/uploads", "/healthz")
# What makes a request conditional (RFC 9110 13.1; Range for completeness).
CONDITIONAL_HEADERS = frozenset(
    ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
     "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE", "HTTP_RANGE")
)  # fmt: skip
# Headers that belong to one response, not to the page: the server adds its own Date.
NOT_STORED = {"date", "set-cookie", "x-cache", "content-length"}


def init_app(app: Flask) -> None:
    app.config.setdefault("PAGE_CACHE", True)
    app.config.setdefault("CACHE_TYPE", "SimpleCache")
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", 600)
    app.config.setdefault("CACHE_THRESHOLD", 2000)
    app.config.setdefault("CACHE_DIR", str(Path(app.instance_path) / "cache"))
    app.config.setdefault("CACHE_KEY_PREFIX", "newsroom:")
    if app.config["CACHE_TYPE"] in ("RedisCache", "flask_caching.backends.RedisCache"):
        # An unreachable Redis must fail fast: every anonymous request waits for it.
        app.config.setdefault(
            "CACHE_OPTIONS", {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        )
    cache.init_app(app)
    # SimpleCache is in the worker's memory already; a shared backend gets a local front.
    entries = int(app.config.get("PAGE_CACHE_LOCAL_ENTRIES", 200))
    shared = app.config["CACHE_TYPE"] not in ("SimpleCache", "flask_caching.backends.SimpleCache")
    app.extensions["blog_page_local"] = LocalPages(entries) if shared and entries > 0 else None
    app.extensions["blog_recent_versions"] = RecentVersions(
        float(app.config.get("PAGE_CACHE_VERSIONS_SECONDS", 0.1))
    )
    app.extensions["blog_cache_breaker"] = Breaker(
        int(app.config.get("CACHE_BREAKER_FAILURES", 3)),
        float(app.config.get("CACHE_BREAKER_SECONDS", 30)),
    )
    app.wsgi_app = PageCacheMiddleware(app, app.wsgi_app)  # type: ignore[method-assign]


def _eligible(config: Mapping[str, Any], environ: Mapping[str, Any]) -> bool:
    if not config["PAGE_CACHE"] or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    if environ.get("PATH_INFO", "").startswith(SKIP_PREFIXES):
        return False
    cookie_header = environ.get("HTTP_COOKIE")
    return not cookie_header or not has_login_cookie(config, parse_cookie(cookie_header))


def _key(versions: Versions, environ: Mapping[str, Any]) -> str:
    # The raw request line's parts as the server passed them: the same request always
    # maps to the same key, in the middleware and in `store` alike.
    parts = (
        environ.get("wsgi.url_scheme", "http"),
        environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""),
        environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
    )
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return f"page:{versions[0]}.{versions[1]}:{digest}"


def breaker(app: Flask) -> Breaker:
    """This worker's circuit breaker for the page cache backend (blog/core/cache/breaker.py)."""
    return app.extensions["blog_cache_breaker"]


class PageCacheMiddleware:
    """Answer stored pages for anonymous readers; pass everything else to Flask."""

    def __init__(self, app: Flask, wsgi_app: Any):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        entry = self._lookup(environ)
        if entry is None:
            return self.wsgi_app(environ, start_response)
        status, stored_headers, body = entry
        headers = Headers(stored_headers)
        headers["X-Cache"] = "HIT"
        if "HTTP_IF_NONE_MATCH" in environ and not is_resource_modified(
            environ, etag=headers.get("ETag")
        ):
            remove_entity_headers(headers)
            start_response("304 NOT MODIFIED", headers.to_wsgi_list())
            return []
        start_response(status, headers.to_wsgi_list())
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _lookup(self, environ: dict[str, Any]) -> tuple[str, list, bytes] | None:
        config = self.app.config
        if not _eligible(config, environ):
            return None
        engine = self.app.extensions["blog_engine"]
        engine = self.app.extensions.get("blog_versions_engine", engine)
        try:
            recent = self.app.extensions["blog_recent_versions"]
            versions = recent.get(lambda: read_versions(engine))
        except (engine.dialect.loaded_dbapi.Error, SQLAlchemyError):
            return None  # Flask answers, with its error page if the database is down
        # On a miss Flask renders the page: it reuses these versions (one read per
        # request), and `store` files the page under the versions it was built from.
        hand_over(environ, versions)
        key = _key(versions, environ)
        local = self.app.extensions["blog_page_local"]
        entry = local.get(key) if local is not None else None
        if entry is not None:
            return entry
        backend = self.app.extensions["cache"][cache]
        guard = breaker(self.app)
        if not guard.allows():
            return None  # the backend failed lately: render without it for a while
        try:
            entry = backend.get(key)
        except Exception as error:  # any backend failure: render instead
            guard.failed(error)
            return None
        guard.succeeded()
        if entry is not None and local is not None:
            local.put(key, entry)
        return entry


def store(response: Response) -> None:
    """Keep a public page for the next anonymous reader (called by the header hook)."""
    environ = request.environ
    versions = request_state().page_versions
    if versions is None or response.status_code != 200:
        return  # the middleware did not look it up: not eligible (see `_eligible`)
    guard = breaker(current_app)
    if guard.is_open:
        return
    body = response.get_data()
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in NOT_STORED]
    headers.append(("Content-Length", str(len(body))))  # hits are never sent chunked
    key, entry = _key(versions, environ), (response.status, headers, body)
    try:
        cache.set(key, entry)
    except Exception as error:  # the page is fine; only keeping it failed
        guard.failed(error)
        return
    local = current_app.extensions["blog_page_local"]
    if local is not None:
        local.put(key, entry)
    response.headers["X-Cache"] = "MISS"


def is_anonymous_request(app: Flask) -> bool:
    """No session or remember cookie: nothing in the response can be user-specific."""
    return not has_login_cookie(app.config, request.cookies)


def public_max_age(app: Flask) -> int:
    """PUBLIC_CACHE_SECONDS, cut short so no copy outlives the next scheduled publication."""
    seconds = int(app.config["PUBLIC_CACHE_SECONDS"])
    left = versions().seconds_left()
    return seconds if left is None else max(0, min(seconds, int(left)))


def set_cache_headers(app: Flask, response: Response, user: Any) -> bool:
    """Public, validatable caching for anonymous pages; private no-store otherwise.

    A page is public only when the request is an anonymous GET without a session, the
    response is a successful page, and nothing in it is user-specific (no cookie set,
    no session written). Returns whether the response is public.
    """
    if response.headers.get("Cache-Control"):  # the view decided (static files, uploads)
        return False
    public = (
        request.method in ("GET", "HEAD")
        and not getattr(user, "is_authenticated", False)
        and is_anonymous_request(app)
        and not session.modified
        and response.status_code == 200
        and "Set-Cookie" not in response.headers
        and not request.path.startswith(("/admin", "/auth"))
        and not response.direct_passthrough
    )
    response.vary.add("Cookie")
    if not public:
        response.headers["Cache-Control"] = "private, no-store"
        return False
    max_age = public_max_age(app)
    edge = min(max_age, int(app.config["EDGE_CACHE_SECONDS"]))
    response.headers["Cache-Control"] = f"public, max-age={max_age}, s-maxage={edge}"
    response.add_etag()
    if CONDITIONAL_HEADERS.intersection(request.environ):
        # Only a request that asks gets the 304/412 logic (and werkzeug's Date header,
        # which the server already sends: two Date fields otherwise).
        response.make_conditional(request)
    return True
