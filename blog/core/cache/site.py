"""The per-worker copy of what every page repeats: settings, navigation, footer pages
and the links of the header and footer.

Reloaded when the content version moves (a saved setting, category or page moves it;
see blog/core/cache/invalidation.py), so a change in one worker is seen by every worker on
its next request. With MEMO_CACHE off it is loaded afresh for every request.
"""

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for

from blog.core.assets import static_version
from blog.core.cache.versions import current_version
from blog.core.settings import DEFAULTS
from blog.core.state import request_state
from blog.extensions import db
from blog.models import Category, Page, Setting


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


def get_site() -> _Cache:
    """Settings, navigation, footer pages and fixed links in one look-up: the per-worker
    copy of what every page repeats, reloaded when the version moves.

    URLs are built with url_for, which needs a request; outside one (CLI, mail in a
    background job) a fresh copy is returned and nothing is kept.
    """
    if not current_app.config.get("MEMO_CACHE", True):
        state = request_state()
        if state.site_copy is None:
            state.site_copy = _load(_Cache(), has_request_context())
        return state.site_copy
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
        "json_feed": link("trust.feed"),
        "donate": values.get("donate_url") or link("donations.donate"),
        "favicon": link("static", filename="favicon.svg", v=static_version("favicon.svg")),
        "stylesheet": link("static", filename="style.css", v=static_version("style.css")),
        "count_script": link("static", filename="count.js", v=static_version("count.js")),
        "register": link("auth.register"),
        "account": link("auth.account"),
        "logout": link("auth.logout"),
        "admin": link("admin.dashboard"),
        "newsletter": link("newsletter.index"),
        "subscribe": link("newsletter.subscribe"),
    }
    cache.values, cache.nav, cache.footer_pages = values, nav, pages
    return cache


def get_settings() -> dict[str, Any]:
    """All settings with defaults filled in; cached until the content version moves."""
    return get_site().values
