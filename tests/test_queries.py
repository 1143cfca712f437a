"""Every public page costs a fixed, small number of SQL statements whatever the data size."""

import time
from datetime import timedelta

import pytest

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Role
from tests import factories
from tests.shared import counting_statements

# 10: the article page reads its bylines and its correction notes too (issue 26).
MAX_STATEMENTS = 10
PAGES = {
    "home": "/",
    "home page 2": "/?page=1",
    "category": "/category/harbour-news",
    "tag": "/tag/harbour",
    "author": "/author/writer",
    "article": "/article/the-pier",
    "search": "/search?q=harbour+pier",
    "feed": "/feed.xml",
    "category feed": "/category/harbour-news/feed.xml",
}


def measure(client) -> dict[str, int]:
    # The first request fills the per-worker settings and navigation cache, as on a
    # running site; what is measured is every later request.
    assert client.get("/").status_code == 200
    counts = {}
    for name, url in PAGES.items():
        with counting_statements() as statements:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(statements)
    return counts


@pytest.fixture
def site(app):
    """One article with 20 comments (some with replies), by `writer`, tagged #Harbour."""
    writer = factories.make_user(Role.AUTHOR, username="writer", bio="Writes about boats.")
    section = factories.make_category("Harbour news")
    harbour, boats = factories.make_tag("Harbour"), factories.make_tag("Boats")
    article = factories.make_article(
        "The pier",
        author=writer,
        category=section,
        tags=[harbour, boats],
        body="The harbour opened a new pier.\n\n- boats\n- tides\n",
    )
    readers = [factories.make_user() for _ in range(5)]
    for i in range(20):
        comment = factories.make_comment(article, author=readers[i % 5], body=f"Comment {i}")
        if i % 4 == 0:
            factories.make_comment(article, author=readers[(i + 1) % 5], parent=comment)
    db.session.commit()
    return {"writer": writer, "section": section, "tags": [harbour, boats], "readers": readers}


def add_articles(site: dict, n: int) -> None:
    """n more public articles on the same author, section and tags, each commented."""
    for i in range(n):
        article = factories.make_article(
            f"Harbour story {i}",
            author=site["writer"],
            category=site["section"],
            tags=site["tags"][: 1 + i % 2],
            body=f"The harbour pier, part {i}.\n\n## Tides\n\nMore.",
        )
        factories.make_comment(article, author=site["readers"][i % 5])
    db.session.commit()


def test_public_pages_cost_the_same_statements_with_1_and_50_articles(app, client, site):
    with_one = measure(client)
    add_articles(site, 49)

    with_fifty = measure(app.test_client())

    assert with_one == with_fifty
    assert max(with_one.values()) <= MAX_STATEMENTS, with_one


def test_fifty_articles_really_are_listed(client, site):
    add_articles(site, 49)

    response = client.get("/author/writer")

    assert b"50 articles" in response.data
    assert response.data.count(b'<article class="card') == 10  # posts_per_page


def test_cached_list_totals_follow_content_changes(client, site):
    assert "1 article ·" in client.get("/category/harbour-news").get_data(as_text=True)
    factories.make_article("Quiet one", category=site["section"])
    db.session.commit()

    assert "2 articles ·" in client.get("/category/harbour-news").get_data(as_text=True)


def test_cached_list_totals_count_a_scheduled_article_when_its_time_comes(client, site):
    factories.make_article(
        "Scheduled one", category=site["section"], published_at=utcnow() + timedelta(seconds=1)
    )
    db.session.commit()
    assert "1 article ·" in client.get("/category/harbour-news").get_data(as_text=True)

    time.sleep(1.1)

    assert "2 articles ·" in client.get("/category/harbour-news").get_data(as_text=True)
