"""The friendly error pages: one template, a title and message per HTTP status.

A feature that can answer an address the site does not know (an old link that moved)
registers a hook with `on_not_found`; the 404 handler asks the hooks first.

When the database cannot be reached, every page answers 503 with Retry-After and
errors/unavailable.html, rendered without the database: the chrome (site name,
sections, stylesheet) comes from this worker's last copy of the site, else from the
defaults, and no context processor runs (they would read the user and the settings).
"""

import contextlib
import logging
import time
from collections.abc import Callable

from flask import Flask, current_app, render_template, request, url_for
from flask.globals import request_ctx
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.wrappers import Response

from blog.core.assets import static_version
from blog.core.outage import OUTAGE_ERRORS, release_session
from blog.core.security_log import security_log
from blog.core.settings import DEFAULTS
from blog.extensions import db

logger = logging.getLogger("blog.errors")
# A reader told to come back in this many seconds; nginx and crawlers read it too.
UNAVAILABLE_RETRY_AFTER = 30
_last_logged = [0.0]

# The friendly error pages: title and what the reader should know.
ERROR_PAGES = {
    400: ("Bad request", "The request could not be understood. If you submitted a form, "
          "go back and try again."),
    403: ("Forbidden", "You do not have permission to see this page."),
    404: ("Page not found", "We could not find that page. It may have moved or never existed."),
    405: ("Method not allowed", "That address does not accept this kind of request."),
    413: ("Too large", "What you sent is larger than this site accepts. "
          "Please send something smaller."),
    429: ("Too many attempts", "You have made too many attempts. "
          "Please wait a little and try again."),
    500: ("Something went wrong", "An error occurred on our side. Nothing you did caused it; "
          "please try again in a moment."),
}  # fmt: skip
ERROR_CODES = tuple(ERROR_PAGES)

NotFoundHook = Callable[[], Response | None]


def on_not_found(app: Flask, hook: NotFoundHook) -> None:
    """Ask `hook` before answering 404; the first response it returns is sent instead."""
    app.extensions.setdefault("blog_not_found_hooks", []).append(hook)


def render_error(error: HTTPException):
    """The friendly page for an HTTP error (rolls the session back on 5xx)."""
    code = error.code or 500
    if code == 404 and request_ctx.url_adapter is not None:
        for hook in current_app.extensions.get("blog_not_found_hooks", ()):
            moved = hook()
            if moved is not None:
                return moved
    if code >= 500:
        db.session.rollback()
    if code == 403:
        security_log("forbidden", method=request.method, path=request.full_path.rstrip("?"))
    # Keep headers the error carries for clients, such as 429's Retry-After.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() in ("retry-after", "allow")]
    if request_ctx.url_adapter is None:
        # The Host header was refused (TRUSTED_HOSTS): no URL can be built for it.
        return f"{code} {error.name}", code, [("Content-Type", "text/plain"), *headers]
    title, message = ERROR_PAGES.get(code, (error.name, ""))
    # A view's own explanation (when to retry, the size limit) beats the generic one.
    if error.description and error.description != type(error).description and code < 500:
        message = error.description
    try:
        return render_template("errors/error.html", title=title, message=message), code, headers
    except OUTAGE_ERRORS as outage:  # the page's chrome needs the database, now gone
        return database_unavailable(outage)


def database_unavailable(error: Exception) -> tuple[str, int, list[tuple[str, str]]]:
    """503 with Retry-After and the unavailable page, built without touching the database.

    Logs the outage at most once a minute per worker, not once per request.
    """
    with contextlib.suppress(Exception):
        db.session.rollback()
    now = time.monotonic()
    if now - _last_logged[0] > 60:
        _last_logged[0] = now
        logger.error("Database unavailable: %s", str(error).splitlines()[0] if str(error) else "")
    site = current_app.extensions.get("blog_site")
    known = site is not None and site.version >= 0 and site.links.get("index")
    html = current_app.jinja_env.get_template("errors/unavailable.html").render(
        site=site.values if known else DEFAULTS,
        nav=site.nav if known else [],
        home=site.links["index"] if known else url_for("public.index"),
        stylesheet=url_for("static", filename="style.css", v=static_version("style.css")),
        retry_after=UNAVAILABLE_RETRY_AFTER,
    )
    headers = [("Retry-After", str(UNAVAILABLE_RETRY_AFTER)), ("Cache-Control", "no-store"),
               ("Content-Type", "text/html; charset=utf-8")]  # fmt: skip
    return html, 503, headers


def init_app(app: Flask) -> None:
    """Register the friendly pages for HTTP errors and for numbers too large for the database."""
    for code in ERROR_CODES:
        app.register_error_handler(code, render_error)
    for outage in OUTAGE_ERRORS:
        app.register_error_handler(outage, database_unavailable)
    # After db.init_app, so it runs before Flask-SQLAlchemy's teardown (see its docstring).
    app.teardown_appcontext(release_session)

    def number_too_large(error: OverflowError):
        # An id or page number past the database's 64-bit integers, typed into a URL,
        # query or form (?page=99999999999999999999): bad input, not a server error.
        db.session.rollback()
        return render_error(BadRequest())

    app.register_error_handler(OverflowError, number_too_large)

    def out_of_range(error: Exception):
        # PostgreSQL's form of the same input: "integer out of range" (SQLSTATE 22003),
        # and for its 32-bit integer columns already past 2**31.
        if getattr(getattr(error, "orig", None), "sqlstate", None) == "22003":
            return number_too_large(error)
        raise error

    app.register_error_handler(DataError, out_of_range)
