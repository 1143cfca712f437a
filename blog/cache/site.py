"""The per-worker copy of what every page repeats: settings, navigation, footer pages,
and the header and footer rendered from them.

Reloaded when the content version moves (a saved setting, category or page moves it;
see blog/cache/invalidation.py), so a change in one worker is seen by every worker on
its next request. With MEMO_CACHE off it is loaded afresh for every request.
"""

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_request_context, render_template, url_for
from markupsafe import Markup, escape

from blog.assets import static_version
from blog.cache.versions import current_version
from blog.extensions import db
from blog.models import Category, Page, Setting
from blog.settings import DEFAULTS


@dataclass(frozen=True)
class NavItem:
    name: str
    slug: str
    description: str = ""
    url: str = ""  # built once per content version, so base.html calls no url_for per item


@dataclass
class _Cache:
    version: int = -1
    values: dict[str, Any] = field(default_factory=dict)
    nav: list[NavItem] = field(default_factory=list)
    footer_pages: list[NavItem] = field(default_factory=list)
    # URLs base.html shows on every page (feed, stylesheet, search...), built per version.
    links: dict[str, str] = field(default_factory=dict)
    # The rendered header and footer, per highlighted section (None: no section).
    chrome: dict[str | None, "Chrome"] = field(default_factory=dict)


# Markers in _chrome.html; they cannot come from settings or names, which are escaped.
SEARCH_MARK, ACCOUNT_MARK, MAIN_MARK, BOX_TOKEN_MARK = (
    "<!--q-->",
    "<!--account-->",
    "<!--main-->",
    Markup("<!--box-token-->"),
)


@dataclass(frozen=True)
class Chrome:
    """The header and footer of every page, rendered once per content version.

    base.html puts in what belongs to one request: the search box's text, the account
    links (who is logged in, where "Log in" comes back to) and the footer subscribe
    box's CSRF token. Measured, this saved little: 0.51 to 0.50 ms CPU for a cache-off
    article page. Nothing of one request may go into _chrome.html itself
    (tests/test_fragments.py renders it for two readers and compares).
    """

    top: str  # up to the account links, SEARCH_MARK in the search box
    nav: str  # after them: the section navigation, the end of the header
    footer: str  # BOX_TOKEN_MARK where the footer box's token goes

    def header(self, search: str, account: Markup) -> Markup:
        top = self.top.replace(SEARCH_MARK, escape(search))
        return Markup(top) + account + Markup(self.nav)  # noqa: S704 - autoescaped

    def footer_with(self, token: Markup) -> Markup:
        return Markup(self.footer.replace(BOX_TOKEN_MARK, token))  # noqa: S704


def site_chrome(active_category: str | None) -> Chrome:
    """The header and footer with `active_category`'s link marked as the current page."""
    site = get_site()
    found = site.chrome.get(active_category)
    if found is None:
        html = render_template(
            "_chrome.html", active_category=active_category, box_token=lambda: BOX_TOKEN_MARK
        )
        top, _, rest = html.partition(ACCOUNT_MARK)
        nav, _, footer = rest.partition(MAIN_MARK)
        found = Chrome(top, nav, footer)
        if len(site.chrome) < 100:  # sections are a few dozen; a bound all the same
            site.chrome[active_category] = found
    return found


def get_site() -> _Cache:
    """Settings, navigation, footer pages and fixed links in one look-up: the per-worker
    copy of what every page repeats, reloaded when the version moves.

    URLs are built with url_for, which needs a request; outside one (CLI, mail in a
    background job) a fresh copy is returned and nothing is kept.
    """
    if not current_app.config.get("MEMO_CACHE", True):
        if "_site_copy" not in g:
            g._site_copy = _load(_Cache(), has_request_context())
        return g._site_copy
    cache = current_app.extensions.setdefault("blog_site", _Cache())
    version = current_version()
    if version != cache.version:
        in_request = has_request_context()
        cache = _load(cache if in_request else _Cache(), in_request)
        cache.version = version
    return cache


def _load(cache: _Cache, in_request: bool) -> _Cache:
    """Read settings, navigation and footer pages into `cache`; links need a request."""

    def link(endpoint: str, **values: str) -> str:
        return url_for(endpoint, **values) if in_request else ""

    rows = db.session.execute(sa.select(Setting.key, Setting.value)).all()
    values = dict(DEFAULTS)
    for key, raw in rows:
        if key in DEFAULTS:
            try:
                values[key] = json.loads(raw)
            except ValueError:
                continue
    nav = [
        NavItem(c.name, c.slug, c.description, link("public.category", slug=c.slug))
        for c in db.session.scalars(Category.ordered())
    ]
    pages = [
        NavItem(p.title, p.slug, url=link("public.page", slug=p.slug))
        for p in db.session.scalars(Page.visible().where(Page.in_footer))
    ]
    cache.links = {
        "index": link("public.index"),
        "search": link("public.search"),
        "feed": link("public.feed"),
        "donate": values.get("donate_url") or link("donations.donate"),
        "favicon": link("static", filename="favicon.svg", v=static_version("favicon.svg")),
        "stylesheet": link("static", filename="style.css", v=static_version("style.css")),
        "register": link("auth.register"),
        "account": link("auth.account"),
        "logout": link("auth.logout"),
        "admin": link("admin.dashboard"),
        "newsletter": link("newsletter.index"),
        "subscribe": link("newsletter.subscribe"),
    }
    cache.values, cache.nav, cache.footer_pages = values, nav, pages
    cache.chrome = {}
    return cache


def get_settings() -> dict[str, Any]:
    """All settings with defaults filled in; cached until the content version moves."""
    return get_site().values
