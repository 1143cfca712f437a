"""What both coherence tests compare: `Site` (the people and rows of the fixture),
`public_urls`, `snapshot` and `assert_coherent`, which fetches URLs from the cached and
the uncached app and fails on any difference."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Category, Comment, GuestAuthor, Page, Tag, User
from tests.shared import mask_tokens


@dataclass
class Site:
    admin: User
    writer: User
    reader: User
    other_reader: User
    lead: Article
    pending: Comment
    search_word: str = "harbour"


def public_urls() -> list[str]:
    """Every public URL of the site as the database now stands."""
    urls = ["/", "/?page=2", "/feed.xml", "/sitemap.xml", "/robots.txt", "/search?q=harbour"]
    urls += ["/search?q=lighthouse", "/search?q=renamed"]
    for slug in db.session.scalars(sa.select(Category.slug)):
        urls += [f"/category/{slug}", f"/category/{slug}/feed.xml"]
    urls += [f"/tag/{slug}" for slug in db.session.scalars(sa.select(Tag.slug))]
    urls += [f"/author/{name}" for name in db.session.scalars(sa.select(User.username))]
    urls += [f"/article/{slug}" for slug in db.session.scalars(sa.select(Article.slug))]
    urls += [f"/pages/{slug}" for slug in db.session.scalars(sa.select(Page.slug))]
    urls += ["/corrections"]
    urls += [f"/contributors/{s}" for s in db.session.scalars(sa.select(GuestAuthor.slug))]
    return urls


def snapshot(client, urls: list[str]) -> dict[str, tuple[int, str]]:
    pages = {}
    for url in urls:
        response = client.get(url)
        pages[url] = (response.status_code, mask_tokens(response.get_data(as_text=True)))
    return pages


def assert_coherent(app, reference, step: str, urls: list[str]) -> None:
    # The cached app first: what it stored at the previous step is what it would serve.
    cached = snapshot(app.test_client(), urls)
    fresh = snapshot(reference.test_client(), urls)
    stale = [url for url in urls if cached[url] != fresh[url]]
    assert not stale, f"after {step!r}, the cached site differs on {stale}"
