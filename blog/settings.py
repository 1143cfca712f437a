"""Site settings editors change in the admin, read through one cached accessor.

Values live in the `setting` table as JSON. Each worker keeps one parsed copy and
reloads it when the shared content version (`blog.database.current_version`) moves,
so a change in one worker is seen by every worker on its next request.
"""

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for

from blog.database import bump_version, current_version
from blog.extensions import db
from blog.models import Category, Page, Setting
from blog.upsert import insert

COMMENT_POLICIES = {
    "open": "Open: comments appear at once",
    "first": "Hold the first comment of a new reader for moderation",
    "all": "Hold every comment for moderation",
}

DEFAULTS: dict[str, Any] = {
    "site_name": "The Newsroom",
    "tagline": "Independent news, analysis and opinion",
    "about": "We are a small independent newsroom. We report what matters, plainly, "
    "and we answer to our readers, not to advertisers.",
    "donate_url": "",
    "donate_text": "Independent journalism costs money. If you value our work, "
    "please support the newsroom with a donation.",
    "social_links": {},
    "posts_per_page": 10,
    "comment_policy": "first",
    "authors_can_publish": False,
    # Top-level comments a page of a thread shows, each with its replies.
    "comments_per_page": 50,
    # Reports by different readers after which a comment is hidden until a moderator
    # decides (0: never hidden automatically).
    "report_threshold": 3,
    # Whether a new account must open the link mailed to it before it may comment.
    "require_confirmed_email": True,
}


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
    cache = current_app.extensions.setdefault("blog_site", _Cache())
    version = current_version()
    if version != cache.version:
        in_request = has_request_context()
        if not in_request:
            cache = _Cache()

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
            for p in db.session.scalars(
                sa.select(Page).where(Page.in_footer).order_by(Page.position, Page.title)
            )
        ]
        cache.links = {
            "index": link("public.index"),
            "search": link("public.search"),
            "feed": link("public.feed"),
            "donate": values.get("donate_url") or link("public.page", slug="donate"),
            "favicon": link("static", filename="favicon.svg"),
            "stylesheet": link("static", filename="style.css"),
            "register": link("auth.register"),
        }
        cache.values, cache.nav, cache.footer_pages = values, nav, pages
        cache.version = version
    return cache


def get_settings() -> dict[str, Any]:
    """All settings with defaults filled in; cached until the content version moves."""
    return get_site().values


def save_settings(changes: dict[str, Any]) -> None:
    """Store changed settings and bump the version; call inside a write transaction."""
    for key, value in changes.items():
        if key not in DEFAULTS:
            raise KeyError(key)
        # An upsert, not a look-up then INSERT: a setting's row appears the first time
        # it is saved, and two admins saving at once must not both try to create it.
        statement = insert(Setting).values(key=key, value=json.dumps(value))
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[Setting.key], set_={"value": statement.excluded.value}
            )
        )
    bump_version()
