"""Site settings editors change in the admin, read through one cached accessor.

Values live in the `setting` table as JSON. Each worker keeps one parsed copy and
reloads it when the shared content version (`blog.database.current_version`) moves,
so a change in one worker is seen by every worker on its next request.
"""

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app

from blog.database import bump_version, current_version
from blog.extensions import db
from blog.models import Category, Page, Setting

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
}


@dataclass(frozen=True)
class NavItem:
    name: str
    slug: str
    description: str = ""


@dataclass
class _Cache:
    version: int = -1
    values: dict[str, Any] = field(default_factory=dict)
    nav: list[NavItem] = field(default_factory=list)
    footer_pages: list[NavItem] = field(default_factory=list)


def _site() -> _Cache:
    """The per-worker copy of what every page repeats, reloaded when the version moves."""
    cache = current_app.extensions.setdefault("blog_site", _Cache())
    version = current_version()
    if version != cache.version:
        rows = db.session.execute(sa.select(Setting.key, Setting.value)).all()
        values = dict(DEFAULTS)
        for key, raw in rows:
            if key in DEFAULTS:
                try:
                    values[key] = json.loads(raw)
                except ValueError:
                    continue
        nav = [
            NavItem(c.name, c.slug, c.description)
            for c in db.session.scalars(Category.ordered())
        ]
        pages = [
            NavItem(p.title, p.slug)
            for p in db.session.scalars(
                sa.select(Page).where(Page.in_footer).order_by(Page.position, Page.title)
            )
        ]
        cache.values, cache.nav, cache.footer_pages = values, nav, pages
        cache.version = version
    return cache


def get_settings() -> dict[str, Any]:
    """All settings with defaults filled in; cached until the content version moves."""
    return _site().values


def get_nav() -> list[NavItem]:
    """The navigation categories in order (cached like the settings)."""
    return _site().nav


def get_footer_pages() -> list[NavItem]:
    """Pages marked for the footer, in order (cached like the settings)."""
    return _site().footer_pages


def save_settings(changes: dict[str, Any]) -> None:
    """Store changed settings and bump the version; call inside a write transaction."""
    for key, value in changes.items():
        if key not in DEFAULTS:
            raise KeyError(key)
        db.session.merge(Setting(key=key, value=json.dumps(value)))
    bump_version()
