"""The public site as an anonymous reader sees it: lists, articles, pages, meta tags."""

import json
import re
from datetime import timedelta
from urllib.parse import quote

import pytest

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import ArticleStatus, Role, SlugRedirect
from tests import factories
from tests.conftest import logged_in_client


def text(response) -> str:
    return response.get_data(as_text=True)


def meta(html: str, attribute: str, name: str) -> str | None:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    return match.group(1) if match else None


@pytest.fixture
def section(app):
    return factories.make_category("Harbour", description="News from the docks.")


@pytest.fixture
def story(app, author, section):
    tag = factories.make_tag("Tides")
    article = factories.make_article(
        "The new pier opens",
        author=author,
        category=section,
        tags=[tag, factories.make_tag("Boats")],
        summary="A long-awaited pier opens on Monday.",
        body="The pier is **long**.\n\n## Who paid\n\n- the city\n- the port\n",
        image_path="demo/pier.jpg",
        image_alt="The pier at dawn",
    )
    db.session.commit()
    return article


# Home


def test_home_shows_a_lead_story_top_stories_and_the_latest_articles(client, section):
    # Left to the newest (public/front.py): the newest leads, the next four are the top
    # stories, the rest are the latest.
    older = [factories.make_article(f"Older news {n}", category=section) for n in range(5)]
    newest = factories.make_article("Newest news", category=section, published_at=utcnow())
    db.session.commit()

    html = text(client.get("/"))

    lead = html.index('class="lead-story"')
    top = html.index('id="top-heading"')
    latest = html.index('id="latest-heading"')
    assert lead < html.index(newest.title) < top < html.index(older[0].title) < latest
    assert latest < html.index(older[4].title)
    # Only the lead story is styled as one; the other lists have ordinary cards.
    assert html.count("card-lead") == 1


def test_home_without_articles_says_so(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "Nothing has been published yet." in text(response)


def test_home_is_paginated_with_posts_per_page(client, section):
    for i in range(11):
        factories.make_article(f"Story {i:02d}", category=section)
    db.session.commit()

    first, second = client.get("/"), client.get("/?page=2")

    assert first.status_code == second.status_code == 200
    assert text(first).count('<article class="card') == 10
    assert text(second).count('<article class="card') == 1
    assert 'rel="next" href="/?page=2"' in text(first)
    assert 'rel="prev" href="/"' in text(second)
    assert "Page 2 of 2" in text(second)
    assert 'class="lead-story"' not in text(second)


@pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "1.5", "99999999999999999999999", "²"])
def test_home_page_out_of_range_or_malformed_is_404(client, section, page):
    for i in range(11):
        factories.make_article(f"Story {i}", category=section)
    db.session.commit()

    assert client.get(f"/?page={page}").status_code == 404


@pytest.mark.parametrize(
    "status, delta",
    [
        (ArticleStatus.DRAFT, None),
        (ArticleStatus.REVIEW, None),
        (ArticleStatus.PUBLISHED, timedelta(hours=2)),  # scheduled
    ],
)
def test_unpublished_articles_are_invisible(client, section, status, delta):
    hidden = factories.make_article(
        "Secret plans",
        category=section,
        status=status,
        published_at=utcnow() + delta if delta else None,
    )
    tag = factories.make_tag("Secret")
    hidden.tags = [tag]
    db.session.commit()

    for url in [
        "/",
        f"/category/{section.slug}",
        "/tag/secret",
        f"/author/{hidden.author.username}",
    ]:
        assert "Secret plans" not in text(client.get(url)), url
    assert client.get(f"/article/{hidden.slug}").status_code == 404
    assert "Secret plans" not in text(client.get("/search?q=secret"))
    assert "Secret plans" not in text(client.get("/feed.xml"))


def test_a_scheduled_article_appears_when_its_time_comes(client, section):
    article = factories.make_article(
        "Tomorrow's news", category=section, published_at=utcnow() + timedelta(minutes=5)
    )
    db.session.commit()
    assert client.get(f"/article/{article.slug}").status_code == 404

    article.published_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    assert client.get(f"/article/{article.slug}").status_code == 200
    assert "Tomorrow&#39;s news" in text(client.get("/"))


# Category, tag and author pages


def test_category_page_lists_only_its_articles(client, section, story):
    factories.make_article("Elsewhere", category=factories.make_category("Sport"))
    db.session.commit()

    response = client.get(f"/category/{section.slug}")

    html = text(response)
    assert response.status_code == 200
    assert "<h1>Harbour</h1>" in html
    assert "News from the docks." in html
    assert story.title in html
    assert "Elsewhere" not in html
    assert f'href="/category/{section.slug}" aria-current="page"' in html
    assert f'href="/category/{section.slug}/feed.xml"' in html
    assert meta(html, "name", "description") == "News from the docks."


def test_tag_page_lists_tagged_articles(client, story, section):
    factories.make_article("Untagged", category=section)
    db.session.commit()

    html = text(client.get("/tag/tides"))

    assert "<h1>#Tides</h1>" in html
    assert story.title in html
    assert "Untagged" not in html


def test_author_page_shows_name_bio_and_articles(client, author, story):
    author.display_name = "Arthur Dent"
    author.bio = "Covers the harbour & the sea."
    db.session.commit()

    html = text(client.get(f"/author/{author.username}"))

    assert "<h1>Arthur Dent</h1>" in html
    assert "Covers the harbour &amp; the sea." in html
    assert story.title in html
    assert "1 article" in html


def test_author_url_in_another_case_redirects_to_the_canonical_one(client, author):
    response = client.get("/author/ARTHUR")

    assert response.status_code == 301
    assert response.headers["Location"] == "/author/arthur"


def test_a_reader_has_no_public_author_page(client, reader):
    assert client.get(f"/author/{reader.username}").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/category/no-such-section",
        "/tag/no-such-tag",
        "/author/nobody",
        "/article/no-such-article",
        "/pages/no-such-page",
        "/category/no-such-section/feed.xml",
        "/category/harbour?page=2",
    ],
)
def test_unknown_things_are_friendly_404_pages(client, section, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in text(response)


# The article page


def test_article_page_shows_the_article(client, story, author):
    html = text(client.get(f"/article/{story.slug}"))

    assert '<h1 id="article-title">The new pier opens</h1>' in html
    assert "A long-awaited pier opens on Monday." in html
    assert f'href="/author/{author.username}">{author.name}</a>' in html
    assert '<a href="/category/harbour">Harbour</a>' in html
    assert "<strong>long</strong>" in html and "<h2>Who paid</h2>" in html
    assert f"{story.reading_time} min read" in html
    assert '<img src="/static/demo/pier.jpg" alt="The pier at dawn"' in html
    assert 'href="/tag/tides" rel="tag">#Tides</a>' in html
    assert 'href="/tag/boats" rel="tag">#Boats</a>' in html
    assert 'href="/category/harbour" aria-current="page"' in html


def test_article_page_has_share_links_with_the_encoded_absolute_url(client, story):
    html = text(client.get(f"/article/{story.slug}"))

    encoded = quote("http://newsroom.test/article/the-new-pier-opens", safe="")
    assert "Share this post on" in html
    for network, prefix in [
        ("X", "https://x.com/intent/tweet?url="),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?u="),
        ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url="),
        ("WhatsApp", "https://wa.me/?text="),
        ("Reddit", "https://www.reddit.com/submit?url="),
        ("Email", "mailto:?subject="),
    ]:
        link = re.search(
            rf'<a class="share-{network.lower()}" href="([^"]+)"[^>]*>{network}</a>', html
        )
        assert link, network
        assert link.group(1).startswith(prefix)
        assert encoded in link.group(1)
    # Share links are plain links: no share widget's script, only the site's own.
    assert all(src.startswith("/static/") for src in re.findall(r'<script src="([^"]+)"', html))


def test_updated_date_shows_only_when_meaningfully_later(client, story):
    story.updated_at = story.published_at + timedelta(minutes=5)
    db.session.commit()
    assert "Updated" not in text(client.get(f"/article/{story.slug}"))

    story.updated_at = story.published_at + timedelta(days=2)
    db.session.commit()
    html = text(client.get(f"/article/{story.slug}"))

    assert "Updated <time" in html
    assert meta(html, "property", "article:modified_time") is not None


def test_related_articles_prefer_shared_tags_then_the_same_category(client, story, section):
    tides, boats = story.tags
    same_category = factories.make_article("Same section only", category=section)
    one_tag = factories.make_article("One shared tag", tags=[tides])
    two_tags = factories.make_article("Two shared tags", tags=[tides, boats])
    factories.make_article("Unrelated")
    db.session.commit()

    html = text(client.get(f"/article/{story.slug}"))

    related = html[html.index('id="related-heading"') : html.index('id="comments"')]
    assert related.index(two_tags.title) < related.index(one_tag.title)
    assert related.index(one_tag.title) < related.index(same_category.title)
    assert "Unrelated" not in related


def test_previous_and_next_articles(client, section):
    first = factories.make_article(
        "First", category=section, published_at=utcnow() - timedelta(days=3)
    )
    middle = factories.make_article(
        "Middle", category=section, published_at=utcnow() - timedelta(days=2)
    )
    last = factories.make_article(
        "Last", category=section, published_at=utcnow() - timedelta(days=1)
    )
    factories.make_article("Draft", status=ArticleStatus.DRAFT)
    db.session.commit()

    middle_html = text(client.get(f"/article/{middle.slug}"))
    last_html = text(client.get(f"/article/{last.slug}"))
    first_html = text(client.get(f"/article/{first.slug}"))

    assert f'rel="prev" href="/article/{first.slug}"' in middle_html
    assert f'rel="next" href="/article/{last.slug}"' in middle_html
    assert 'rel="next" href="/article/' not in last_html
    assert f'rel="prev" href="/article/{middle.slug}"' in last_html
    assert 'rel="prev" href="/article/' not in first_html


def test_article_shows_approved_comments_and_a_login_link(client, story, reader):
    factories.make_comment(story, author=reader, body="Great *pier*.")
    factories.make_comment(story, body="Held back", status=factories.CommentStatus.PENDING)
    db.session.commit()

    html = text(client.get(f"/article/{story.slug}"))

    assert "Great <em>pier</em>." in html
    assert "Held back" not in html
    assert "You need to log in to leave a comment." in html
    assert f"next=/article/{story.slug}%23comments" in html


def test_old_slug_redirects_permanently(client, story):
    db.session.add(SlugRedirect(old_slug="pier-opens-soon", article_id=story.id))
    db.session.commit()

    response = client.get("/article/pier-opens-soon")

    assert response.status_code == 301
    assert response.headers["Location"] == f"/article/{story.slug}"


def test_old_slug_of_an_unpublished_article_is_404(client, story):
    db.session.add(SlugRedirect(old_slug="pier-opens-soon", article_id=story.id))
    story.status = ArticleStatus.DRAFT
    db.session.commit()

    assert client.get("/article/pier-opens-soon").status_code == 404


def test_article_meta_tags_and_json_ld(client, story, author):
    html = text(client.get(f"/article/{story.slug}"))

    url = "http://newsroom.test/article/the-new-pier-opens"
    assert "<title>The new pier opens | The Newsroom</title>" in html
    assert f'<link rel="canonical" href="{url}">' in html
    assert meta(html, "name", "description") == "A long-awaited pier opens on Monday."
    assert meta(html, "property", "og:type") == "article"
    assert meta(html, "property", "og:url") == url
    assert meta(html, "property", "og:image") == "http://newsroom.test/static/demo/pier.jpg"
    assert meta(html, "name", "twitter:card") == "summary_large_image"
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == story.title
    assert [a["name"] for a in data["author"]] == [author.name]  # an array (issue 26)
    assert data["image"] == ["http://newsroom.test/static/demo/pier.jpg"]
    assert data["datePublished"] == story.published_at.isoformat(timespec="seconds")


def test_json_ld_cannot_break_out_of_its_script_element(client, section):
    hostile = "</script><script>alert(1)</script>"
    article = factories.make_article(
        f"Pier {hostile}", category=section, slug="hostile", summary=hostile
    )
    db.session.commit()

    html = text(client.get(f"/article/{article.slug}"))

    assert "<script>alert(1)" not in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(block.group(1))["description"] == hostile


# Static pages


def test_static_page(client):
    response = client.get("/pages/about")

    html = text(response)
    assert response.status_code == 200
    assert "<title>About | The Newsroom</title>" in html
    assert "<h2>Who we are</h2>" in html
    assert '<a href="/pages/donate">Donate</a>' in html  # footer links come from the Page table


def test_footer_shows_the_about_blurb_and_donation_appeal_from_settings(client):
    from blog.core.settings import save_settings

    save_settings({"about": "We dig into harbours.", "donate_url": "https://give.example/x"})
    db.session.commit()

    html = text(client.get("/"))

    assert "We dig into harbours." in html
    assert 'href="https://give.example/x">Donate</a>' in html


# Every page: title, description, canonical


@pytest.mark.parametrize(
    "url, title, canonical",
    [
        ("/", "<title>The Newsroom</title>", "http://newsroom.test/"),
        (
            "/category/harbour",
            "<title>Harbour | The Newsroom</title>",
            "http://newsroom.test/category/harbour",
        ),
        ("/tag/tides", "<title>#Tides | The Newsroom</title>", "http://newsroom.test/tag/tides"),
        (
            "/author/arthur",
            "<title>Arthur | The Newsroom</title>",
            "http://newsroom.test/author/arthur",
        ),
        (
            "/pages/privacy",
            "<title>Privacy | The Newsroom</title>",
            "http://newsroom.test/pages/privacy",
        ),
        (
            "/search?q=pier",
            "<title>Search: pier | The Newsroom</title>",
            "http://newsroom.test/search",
        ),
    ],
)
def test_every_page_has_title_description_canonical_and_social_tags(
    client, story, url, title, canonical
):
    html = text(client.get(url))

    assert title in html
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert meta(html, "name", "description")
    assert meta(html, "property", "og:title")
    assert meta(html, "property", "og:url") == canonical
    assert meta(html, "name", "twitter:card")


def test_pages_have_landmarks_and_a_skip_link(client, story):
    html = text(client.get(f"/article/{story.slug}"))

    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert 'aria-label="Sections"' in html
    assert '<footer class="site-footer">' in html


def test_dates_use_the_site_time_zone(app, client, section):
    app.config["TIMEZONE"] = "Pacific/Auckland"
    when = utcnow().replace(year=2025, month=6, day=30, hour=20, minute=0)
    factories.make_article("Late night", category=section, published_at=when)
    db.session.commit()

    html = text(client.get("/"))

    assert "1 July 2025" in html  # 20:00 UTC is already the next day in Auckland


def test_author_role_user_with_no_articles_has_an_empty_page(client):
    writer = factories.make_user(Role.AUTHOR, username="newbie")
    db.session.commit()

    response = client.get(f"/author/{writer.username}")

    assert response.status_code == 200
    assert "No articles here yet." in text(response)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "99999999999999999999999", "²"])
def test_one_page_parser_refuses_the_same_numbers_everywhere(app, client, story_in, page):
    """Listings, a thread's `?comments=` and the admin's lists share one parser."""
    editor = factories.make_user(Role.EDITOR)
    db.session.commit()
    assert client.get(f"/article/{story_in.slug}?comments={page}").status_code == 404
    staff = logged_in_client(app, editor)
    assert staff.get(f"/admin/articles?page={page}").status_code == 404
    assert staff.get("/admin/articles?page=2").status_code == 200  # past the end: empty


@pytest.fixture
def story_in(section):
    article = factories.make_article("Paged story", category=section)
    db.session.commit()
    return article
