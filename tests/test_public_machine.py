"""Search, feeds, sitemap, robots.txt, health check, uploads and HTTP caching."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import ArticleStatus
from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def section(app):
    return factories.make_category("Harbour", description="News from the docks.")


@pytest.fixture
def story(app, author, section):
    article = factories.make_article(
        "The new pier opens",
        author=author,
        category=section,
        tags=[factories.make_tag("Tides")],
        summary="A long-awaited pier opens on Monday.",
        body="The pier is **long** and the harbour master is pleased.",
    )
    db.session.commit()
    return article


# Search


def test_search_finds_articles_with_highlighted_snippets(client, story):
    factories.make_article("Unrelated", body="Nothing about it here.")
    db.session.commit()

    response = client.get("/search?q=harbour")

    html = text(response)
    assert response.status_code == 200
    assert story.title in html
    assert "<mark>harbour</mark>" in html
    assert "Unrelated" not in html
    assert "1 result for “harbour”" in html
    assert '<meta name="robots" content="noindex">' in html
    assert 'value="harbour"' in html


def test_search_with_no_query_shows_the_form(client, story):
    response = client.get("/search")

    assert response.status_code == 200
    assert "Type a few words" in text(response)


def test_search_without_results_says_so(client, story):
    response = client.get("/search?q=zeppelin")

    assert response.status_code == 200
    assert "No articles match “zeppelin”." in text(response)


def test_search_is_paginated(client, section):
    for i in range(12):
        factories.make_article(f"Harbour report {i}", category=section, body="Harbour news.")
    db.session.commit()

    first, second = client.get("/search?q=harbour"), client.get("/search?q=harbour&page=2")

    assert text(first).count('class="search-hit"') == 10
    assert text(second).count('class="search-hit"') == 2
    assert 'rel="next" href="/search?q=harbour&amp;page=2"' in text(first)
    assert client.get("/search?q=harbour&page=3").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"pier',
        "pier\"'",
        "pier AND",
        "OR",
        "NOT pier",
        "NEAR(pier harbour",
        "pier*",
        "*",
        "(((",
        "pier)",
        "title:pier",
        "^pier",
        "-pier",
        "pier + harbour",
        "{pier}",
        "a" * 5000,
        "pier " * 1000,
        "pier\x00harbour",
        "\x00",
        "<script>alert(1)</script>",
        "🚢 pier",
        "ｐｉｅｒ",
        "%",
        "\\",
    ],
)
def test_hostile_search_queries_never_fail(client, story, query):
    response = client.get("/search", query_string={"q": query})

    assert response.status_code == 200
    assert "<script>alert(1)" not in text(response)
    assert "\x00" not in text(response)


@pytest.mark.parametrize("page", ["0", "x", "99999999999999999999999999"])
def test_search_with_a_bad_page_is_404(client, story, page):
    assert client.get(f"/search?q=pier&page={page}").status_code == 404


# Atom feeds


def parse_feed(response) -> ET.Element:
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.data)


def test_site_feed_is_valid_atom_with_full_text(client, story, author):
    feed = parse_feed(client.get("/feed.xml"))

    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "The Newsroom"
    assert feed.findtext(f"{ATOM}id") == "http://newsroom.test/feed.xml"
    assert feed.findtext(f"{ATOM}updated")
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "http://newsroom.test/feed.xml"
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == story.title
    assert entry.findtext(f"{ATOM}id").startswith("tag:newsroom.test,")
    link = entry.find(f"{ATOM}link[@rel='alternate']")
    assert link.get("href") == f"http://newsroom.test/article/{story.slug}"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == author.name
    assert entry.findtext(f"{ATOM}updated") and entry.findtext(f"{ATOM}published")
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert content.text == story.body_html  # full text, escaped once by the XML


def test_feed_escapes_titles_and_has_the_20_latest(client, section):
    for i in range(22):
        factories.make_article(f"Story {i} <b>&amp;", category=section)
    db.session.commit()

    feed = parse_feed(client.get("/feed.xml"))

    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 20
    assert entries[0].findtext(f"{ATOM}title") == "Story 0 <b>&amp;"


def test_category_feed_has_only_that_category(client, story, section):
    factories.make_article("Elsewhere")
    db.session.commit()

    feed = parse_feed(client.get(f"/category/{section.slug}/feed.xml"))

    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles == [story.title]
    assert feed.findtext(f"{ATOM}id") == f"http://newsroom.test/category/{section.slug}/feed.xml"


def test_empty_feed_is_still_valid(client):
    feed = parse_feed(client.get("/feed.xml"))

    assert feed.findall(f"{ATOM}entry") == []
    assert feed.findtext(f"{ATOM}updated")


def test_feed_urls_come_from_site_url_not_the_host_header(client, story):
    response = client.get("/feed.xml", headers={"Host": "evil.example"})

    assert b"evil.example" not in response.data


# Sitemap, robots.txt, health check


def test_sitemap_lists_public_urls(client, story, section):
    factories.make_article("Hidden draft", status=ArticleStatus.DRAFT, slug="hidden-draft")
    db.session.commit()

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    locs = [u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")]
    assert "http://newsroom.test/" in locs
    assert f"http://newsroom.test/article/{story.slug}" in locs
    assert f"http://newsroom.test/category/{section.slug}" in locs
    assert "http://newsroom.test/pages/about" in locs
    assert "http://newsroom.test/article/hidden-draft" not in locs


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "Sitemap: http://newsroom.test/sitemap.xml" in text(response)
    assert "Disallow: /admin/" in text(response)


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "proxy_hops": 0}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("disk I/O error"))

    monkeypatch.setattr(db.session, "execute", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


# Uploaded images


@pytest.fixture
def uploads(app) -> Path:
    folder = Path(app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "abc123.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (folder / "notes.html").write_text("<script>alert(1)</script>")
    (Path(app.instance_path) / "secret_key").write_text("very secret")
    return folder


def test_uploaded_image_is_served_with_type_nosniff_and_long_cache(client, uploads):
    response = client.get("/uploads/abc123.png")

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.cache_control.public
    assert response.cache_control.max_age >= 30 * 24 * 3600
    response.close()


@pytest.mark.parametrize(
    "path",
    [
        "/uploads/missing.png",
        "/uploads/notes.html",
        "/uploads/../secret_key",
        "/uploads/..%2fsecret_key",
        "/uploads/%2e%2e/secret_key",
        "/uploads/../../etc/passwd.png",
        "/uploads/..%2f..%2fetc%2fpasswd.png",
    ],
)
def test_uploads_refuse_other_files_and_traversal(client, uploads, path):
    response = client.get(path)

    assert response.status_code == 404
    assert b"very secret" not in response.data


def test_article_with_an_uploaded_image_links_to_it(client, story, uploads):
    from blog.models import Upload

    upload = Upload(
        filename="abc123.png", thumb_filename="abc123-thumb.png", content_type="image/png"
    )
    story.image = upload
    story.image_alt = "A pier"
    db.session.commit()

    assert '<img src="/uploads/abc123.png" alt="A pier"' in text(
        client.get(f"/article/{story.slug}")
    )
    assert 'src="/uploads/abc123-thumb.png"' in text(client.get("/category/harbour"))


# HTTP caching of anonymous pages


@pytest.mark.parametrize(
    "url", ["/", "/article/the-new-pier-opens", "/category/harbour", "/feed.xml"]
)
def test_anonymous_pages_are_publicly_cacheable_and_revalidate(client, story, url):
    first = client.get(url)

    assert first.status_code == 200
    assert "public" in first.headers["Cache-Control"]
    etag = first.headers["ETag"]

    again = client.get(url, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.data == b""


def test_a_stale_etag_gets_the_new_page(client, story):
    etag = client.get("/").headers["ETag"]
    factories.make_article("Breaking", published_at=utcnow() - timedelta(seconds=1))
    db.session.commit()

    response = client.get("/", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert "Breaking" in text(response)


def test_error_pages_are_not_publicly_cached(client):
    response = client.get("/article/nope")

    assert response.status_code == 404
    assert "public" not in response.headers.get("Cache-Control", "")
