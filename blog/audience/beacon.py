"""The beacon: `/hit`, answered before Flask for readers without a login cookie.

Every public page (article, section, tag, home) carries `/static/count.js` with the
page's name in `data-page`; the script sends `navigator.sendBeacon("/hit?p=..&r=..&q=..")`
(a POST with no body) once the page is shown, whether the HTML came from Flask, the
page cache or the nginx micro-cache, so every view is counted exactly once. Without
JavaScript, a 1x1 image in `<noscript>` asks `GET /hit?p=..` instead (its Referer is the
page itself: only the UTM tags survive, the source is "direct").

`AudienceMiddleware` answers `/hit` from the WSGI environ alone: no routing, session,
login or database, a list append and a 204 (or a 43-byte GIF), `Cache-Control:
no-store` so nothing caches it. A request with a session or remember cookie goes on to
Flask (`blog.audience.views.hit`), which leaves staff out. Staff pages carry no beacon
anyway (base.html), and are never served from a cache.

A counted view needs: a known page name, a user agent that is no bot, and a request
from this site (`Sec-Fetch-Site: same-origin`, or an `Origin` of this host when the
browser sends no fetch metadata), so no other site can count views into ours.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from werkzeug.http import parse_cookie

from blog.audience.counting import classify, is_bot, page_of, visitor_hash
from blog.audience.store import buffer
from blog.core.state import has_login_cookie
from blog.core.types import utcnow

PATH = "/hit"
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
HEADERS = [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]


def init_app(app: Flask) -> None:
    app.config.setdefault("AUDIENCE", True)
    app.wsgi_app = AudienceMiddleware(app, app.wsgi_app)  # type: ignore[method-assign]


def _same_site(environ: Mapping[str, Any], host: str) -> bool:
    fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None:
        return urlsplit(origin).netloc == host
    return True  # an old browser: counted like any other reader


def count(app: Flask, environ: Mapping[str, Any]) -> bool:
    """Buffer one view described by a beacon request; whether it was counted."""
    if not app.config["AUDIENCE"]:
        return False
    user_agent = environ.get("HTTP_USER_AGENT", "")
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    if is_bot(user_agent) or not _same_site(environ, host):
        return False
    args = parse_qs(environ.get("QUERY_STRING", ""))
    page = page_of((args.get("p") or [""])[0])
    if page is None:
        return False
    if environ.get("REQUEST_METHOD") == "POST":
        referrer, query = (args.get("r") or [""])[0], (args.get("q") or [""])[0]
    else:  # the <noscript> image: its Referer is the page that holds it
        referrer, query = "", urlsplit(environ.get("HTTP_REFERER", "")).query
    origin = classify(referrer[:500], query[:1000], host.split(":")[0])
    now = utcnow()
    store = buffer(app)
    visitor = None
    if environ.get("HTTP_DNT") != "1" and environ.get("HTTP_SEC_GPC") != "1":
        salt = store.salt(now.date())
        visitor = visitor_hash(salt, environ.get("REMOTE_ADDR", ""), user_agent, host)
    store.add({
        "day": now.date(), "page": page[0], "page_id": page[1], "visitor": visitor,
        "source": origin.source, "referrer": origin.referrer,
        "utm_source": origin.utm_source, "utm_campaign": origin.utm_campaign,
        "country": country(app, environ.get("REMOTE_ADDR", "")),
    })  # fmt: skip
    return True


def country(app: Flask, ip: str) -> str:
    """The two-letter country of `ip` when AUDIENCE_GEOIP_DB names a local MaxMind
    database (and the optional `maxminddb` package is installed); else ""."""
    reader = app.extensions.get("blog_geoip")
    if reader is None:
        path = app.config.get("AUDIENCE_GEOIP_DB")
        if not path:
            return ""
        import maxminddb  # optional: only a site that configures a database needs it

        reader = app.extensions["blog_geoip"] = maxminddb.open_database(path)
    try:
        found = reader.get(ip) or {}
    except ValueError:
        return ""
    code = str((found.get("country") or {}).get("iso_code") or "")
    return code if len(code) == 2 and code.isalpha() else ""


def answer(environ: Mapping[str, Any], start_response: Any) -> Iterable[bytes]:
    """204 to the script's POST, a transparent GIF to the image's GET."""
    if environ.get("REQUEST_METHOD") == "POST":
        start_response("204 No Content", HEADERS)
        return []
    start_response("200 OK", [*HEADERS, ("Content-Type", "image/gif"),
                              ("Content-Length", str(len(GIF)))])  # fmt: skip
    return [GIF]


class AudienceMiddleware:
    """Count beacons of readers with no login cookie; pass everything else to Flask."""

    def __init__(self, app: Flask, wsgi_app: Any):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") not in (
            "GET",
            "POST",
            "HEAD",
        ):
            return self.wsgi_app(environ, start_response)
        cookie_header = environ.get("HTTP_COOKIE")
        if cookie_header and has_login_cookie(self.app.config, parse_cookie(cookie_header)):
            return self.wsgi_app(environ, start_response)
        if environ["REQUEST_METHOD"] != "HEAD":
            count(self.app, environ)
        return answer(environ, start_response)
