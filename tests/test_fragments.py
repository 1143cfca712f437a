"""HTML fragments per content version: shared parts of public pages are rendered once per
worker and content version, and everything that depends on the viewer stays live.

Factories write as any code does: the commit moves the versions by itself
(blog/core/cache/invalidation.py), so no test moves them by hand.
"""

import pytest

from blog.extensions import db
from blog.models import CommentStatus, Role
from tests import factories
from tests.conftest import logged_in_client
from tests.shared import counting_statements

LIST_PAGES = ["/", "/category/harbour-news", "/tag/harbour", "/author/writer"]


@pytest.fixture
def site(app):
    writer = factories.make_user(Role.AUTHOR, username="writer")
    section = factories.make_category("Harbour news")
    harbour = factories.make_tag("Harbour")
    story = factories.make_article(
        "The pier", author=writer, category=section, tags=[harbour], body="A new pier."
    )
    factories.make_article("Older news", author=writer, category=section, tags=[harbour])
    factories.make_comment(story, body="Approved words")
    db.session.commit()
    return {"writer": writer, "section": section, "story": story}


def statements(client, url: str) -> tuple[int, str]:
    with counting_statements() as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(seen), response.get_data(as_text=True)


@pytest.mark.parametrize("url", [*LIST_PAGES, "/article/the-pier"])
def test_second_request_reuses_the_fragment(client, site, url):
    client.get("/search")  # fills the settings and navigation, as on a running site
    first, first_html = statements(client, url)
    second, second_html = statements(client, url)

    assert second < first
    assert second_html == first_html


def test_article_page_runs_no_orm_statement_when_its_fragments_are_warm(client, site):
    client.get("/article/the-pier")

    count, _ = statements(client, "/article/the-pier")

    # Article, comments and <head> come from fragments; the only database read is the
    # content version, on a driver connection of its own (blog.core.database.current_version).
    assert count == 0


@pytest.mark.parametrize("url", LIST_PAGES)
def test_a_content_change_shows_at_once(client, site, url):
    assert "Fresh headline" not in client.get(url).get_data(as_text=True)
    factories.make_article(
        "Fresh headline",
        author=site["writer"],
        category=site["section"],
        tags=[site["story"].tags[0]],
    )
    db.session.commit()  # the commit moves the content version by itself

    assert "Fresh headline" in client.get(url).get_data(as_text=True)


def test_an_edited_article_and_a_new_comment_show_at_once(client, site):
    story = site["story"]
    client.get("/article/the-pier")
    story.title = "The pier, rebuilt"
    factories.make_comment(story, body="Second thoughts")
    db.session.commit()

    html = client.get("/article/the-pier").get_data(as_text=True)

    assert "<title>The pier, rebuilt |" in html
    assert '<h1 id="article-title">The pier, rebuilt</h1>' in html
    assert "Second thoughts" in html and "Comments (2)" in html


def test_out_of_range_pages_and_unknown_slugs_stay_404(client, site):
    for _ in range(2):
        assert client.get("/?page=2").status_code == 404
        assert client.get("/category/harbour-news?page=9").status_code == 404
        assert client.get("/category/nowhere").status_code == 404
        assert client.get("/tag/nothing").status_code == 404
        assert client.get("/article/nothing-here").status_code == 404


def test_logged_in_readers_see_their_own_parts_while_the_fragment_is_shared(
    app, client, auth, reader, site
):
    story = site["story"]
    factories.make_comment(story, author=reader, body="Held words", status=CommentStatus.PENDING)
    db.session.commit()
    anonymous = app.test_client()
    anonymous_html = anonymous.get("/article/the-pier").get_data(as_text=True)
    assert "Held words" not in anonymous_html
    assert "Log in</a>" in anonymous_html and 'class="comment-form"' not in anonymous_html

    auth.login(reader)
    warm, _ = statements(client, "/article/the-pier")
    count, html = statements(client, "/article/the-pier")

    # The article's main part is the anonymous reader's fragment; the rest is live:
    # the subscribe box after it (with this reader's CSRF token) and the comments.
    main = anonymous_html.split('<main id="main" tabindex="-1">')[1].split(
        '<div class="article-end">'
    )[0]
    assert main in html
    box = html.split('<div class="article-end">')[1].split('<section class="comments"')[0]
    assert 'name="csrf_token"' in box
    assert 'name="csrf_token"' not in anonymous_html
    assert count <= warm
    assert f">{reader.name}</a>" in html and "Log out" in html  # account nav
    assert "Held words" in html and "awaiting moderation" in html
    assert 'class="comment-form"' in html and 'name="csrf_token"' in html
    assert "Held words" not in anonymous.get("/article/the-pier").get_data(as_text=True)
    for url in LIST_PAGES:
        assert "Log out" in client.get(url).get_data(as_text=True)
        assert "Log out" not in anonymous.get(url).get_data(as_text=True)


def test_the_header_of_one_reader_leaves_nothing_for_the_next(
    app, client, auth, reader, other_reader, site
):
    auth.login(reader)
    first = client.get("/category/harbour-news").get_data(as_text=True)
    assert f">{reader.name}</a>" in first
    assert 'aria-current="page">Harbour news</a>' in first

    page = logged_in_client(app, other_reader).get("/category/harbour-news").get_data(as_text=True)
    assert f">{other_reader.name}</a>" in page
    assert reader.name not in page and reader.username not in page


def test_flash_messages_are_not_cached(client, auth, reader, site):
    client.get("/")
    auth.login(reader)
    auth.logout()  # flashes "You have logged out." on the next page
    first = client.get("/").get_data(as_text=True)
    second = client.get("/").get_data(as_text=True)

    assert "You have logged out." in first
    assert "You have logged out." not in second


def test_admin_preview_is_never_cached(app, client, auth, author, site):
    auth.login(author)
    published = client.get("/article/the-pier").get_data(as_text=True)
    for title in ("First draft title", "Second draft title"):
        response = client.post(
            "/admin/articles/preview",
            data=factories.article_form(site["section"], title=title, slug="the-pier"),
        )
        html = response.get_data(as_text=True)
        assert f'<h1 id="article-title">{title}</h1>' in html
        assert "Preview: this is how the article will look" in html

    # The public page (same slug) still shows the published article, not a preview.
    again = client.get("/article/the-pier").get_data(as_text=True)
    assert '<h1 id="article-title">The pier</h1>' in again
    assert "draft title" not in again
    assert published.count("article-title") == again.count("article-title")


def test_fragments_are_bounded_per_worker(app, client, site, monkeypatch):
    from blog.core.cache import memo as store

    monkeypatch.setattr(store, "FRAGMENT_BYTES", 1)
    monkeypatch.setattr(store, "COMMENT_FRAGMENT_BYTES", 1)
    for url in ["/", "/article/the-pier", "/category/harbour-news"]:
        assert client.get(url).status_code == 200
    with app.app_context():
        memo = app.extensions["blog_public_memo"]
        # One byte of room keeps only the last fragment rendered: the publisher's
        # JSON-LD, which every page but the home page renders after its own.
        assert list(memo.fragments.entries) == [("publisher-ld",)]
        assert len(memo.comment_fragments.entries) == 1
