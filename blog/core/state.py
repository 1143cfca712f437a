"""The request state: what one request carries beyond Flask's own, in one typed object.

`request_state()` is the object of the current app context: made fresh when Flask
starts a request (`init_app`), else on first use (a command, a job, a test's context).
`end_write()` resets what a finished write transaction leaves stale. Nothing else keeps
per-request values in `g` or in the WSGI environ.

The page cache's middleware runs before Flask has a request: `hand_over` leaves the
versions it read in the environ, and the fresh state takes them from there, so the
request reads them once and `pages.store` files the page under them.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, has_app_context, request, request_started

_HANDED_OVER = "blog.page_cache_versions"


@dataclass
class RequestState:
    # A write transaction is open (`blog.core.database.begin_write`): the next BEGIN
    # takes the writer lock, and versions are read through the writing session.
    writing: bool = False
    # The cache versions this request keys on, read once (`blog.core.cache.versions`).
    versions: Any = None
    # The versions the page cache looked this request up under (None: not eligible, or
    # a write has moved them since): `blog.core.cache.pages.store` keys the page on them.
    page_versions: Any = None
    # The site's settings copy when the memo cache is off (`blog.core.cache.site`).
    site_copy: Any = None


def init_app(app: Flask) -> None:
    request_started.connect(_new_request, app)


def _new_request(_app: Flask, **_extra: Any) -> None:
    handed = request.environ.get(_HANDED_OVER)
    g.request_state = RequestState(versions=handed, page_versions=handed)


def hand_over(environ: MutableMapping[str, Any], versions: Any) -> None:
    """Leave the page cache's versions for the request Flask is about to start."""
    environ[_HANDED_OVER] = versions


def request_state() -> RequestState:
    """This app context's state (made on first use outside a request)."""
    state = g.get("request_state")
    if state is None:
        state = g.request_state = RequestState()
    return state


def end_write() -> None:
    """A write transaction committed or rolled back: the next read takes no lock, the
    versions are read again (the write may have moved them), and the page-cache key read
    before the write no longer describes this page."""
    if has_app_context():
        state = request_state()
        state.writing = False
        state.versions = None
        state.page_versions = None
        recent = current_app.extensions.get("blog_recent_versions")
        if recent is not None:
            recent.forget()  # this worker's page-cache hits see its own write at once


def has_login_cookie(config: Mapping[str, Any], cookies: Mapping[str, str]) -> bool:
    """A session or remember cookie: the response may be the reader's own."""
    return (
        config["SESSION_COOKIE_NAME"] in cookies
        or config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies
    )
