"""Template globals and filters shared by every blueprint."""

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from jinja2.nodes import EvalContext
from markupsafe import Markup

from blog.core.assets import static_version
from blog.core.cache.site import get_site
from blog.core.imagesets import image_set, image_url, thumb_url
from blog.core.state import has_login_cookie


def site_zone() -> ZoneInfo:
    try:
        return ZoneInfo(current_app.config["TIMEZONE"])
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def format_date(value: datetime | None, fmt: str = "%-d %B %Y") -> str:
    """A stored UTC datetime shown in the site's time zone."""
    if value is None:
        return ""
    return value.astimezone(site_zone()).strftime(fmt)


def iso_datetime(value: datetime | None) -> str:
    """RFC 3339 to the second (`2026-12-02T19:39:11+00:00`): what HTML's <time datetime>,
    Atom and schema.org all accept; microseconds are valid in none of them everywhere."""
    return value.isoformat(timespec="seconds") if value is not None else ""


def page_url(page: int) -> str:
    """The current URL with ?page= replaced (other query arguments kept)."""
    args = request.args.to_dict()
    args["page"] = str(page)
    args = {k: v for k, v in args.items() if not (k == "page" and v == "1")}
    return request.path + ("?" + urlencode(args) if args else "")


def absolute_url(endpoint: str, **values) -> str:
    """An absolute URL built from SITE_URL, never from the request's Host header.

    Works in a request and outside one (a job run by the worker, a command).
    """
    site_url = current_app.config["SITE_URL"].rstrip("/")
    if has_request_context():
        return site_url + url_for(endpoint, **values)
    with current_app.test_request_context("/", base_url=site_url):
        return site_url + url_for(endpoint, **values)


def reader_has_session() -> bool:
    """Whether this request carries a session or remember cookie: its page is never kept
    in the page cache, so it may hold what belongs to this reader (a CSRF token)."""
    return has_login_cookie(current_app.config, request.cookies)


def box_token() -> Markup:
    """The hidden CSRF field of a subscribe box: only for a request with a session."""
    if not reader_has_session():
        return Markup("")
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % generate_csrf()


def static_url(filename: str) -> str:
    """The URL of a file of blog/static/, versioned by its content (cached for ever)."""
    return url_for("static", filename=filename, v=static_version(filename))


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.add_template_filter(format_date, "date")
    app.add_template_filter(iso_datetime, "iso")
    app.add_template_filter(image_url)
    app.add_template_filter(thumb_url)
    app.add_template_global(page_url)
    app.add_template_global(absolute_url)
    app.add_template_global(image_set)
    app.add_template_global(reader_has_session)
    app.add_template_global(box_token)
    app.add_template_global(static_url)

    @app.context_processor
    def site_context() -> dict:
        # One look-up of the per-version copy: no query and no url_for per request.
        site = get_site()
        return {
            "site": site.values,
            "nav_categories": site.nav,
            "footer_pages": site.footer_pages,
            "links": site.links,
        }


def rendered(template: str, **context) -> Markup:
    """A template's output as Markup, to be inserted in a page unescaped.

    Safe: Jinja autoescaped every value while rendering (.html templates).
    """
    return Markup(render_template(template, **context))  # noqa: S704


def json_script(value) -> Markup:
    """`value` as the templates' `|tojson` writes it: JSON with <, >, & and ' escaped,
    safe inside a <script> element (for fragments rendered ahead of the page)."""
    return current_app.jinja_env.filters["tojson"](EvalContext(current_app.jinja_env), value)
