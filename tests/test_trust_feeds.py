"""Google News, Discover and the fediverse (issue 26): the news sitemap, the robots meta,
the large social card, fediverse:creator, and JSON Feed 1.1 for the site and sections.

The news sitemap is checked against Google's news extension (the required elements, in
its namespace, W3C dates, at most 1,000 URLs of the last two days) and the JSON Feed
against the 1.1 specification's rules (jsonfeed.org/version/1.1)."""

import json
import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from lxml import etree

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import ArticleStatus, Upload
from blog.trust import feeds
from blog.trust.api import set_bylines
from tests import factories
from tests.conftest import logged_in_client
from tests.factories import make_guest
from tests.shared import image_bytes, upload

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def aware(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def news_entries(client) -> dict[str, etree._Element]:
    response = client.get("/sitemap-news.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = etree.fromstring(response.get_data())
    assert root.tag == f"{SM}urlset"
    found = {}
    for url in root.findall(f"{SM}url"):
        news = url.find(f"{NEWS}news")
        publication = news.find(f"{NEWS}publication")
        assert publication.findtext(f"{NEWS}name")
        assert re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]+)?", publication.findtext(f"{NEWS}language"))
        aware(news.findtext(f"{NEWS}publication_date"))
        assert news.findtext(f"{NEWS}title")
        found[url.findtext(f"{SM}loc")] = news
    return found


def test_news_sitemap_lists_public_articles_of_the_last_two_days(client, author, category):
    fresh = factories.make_article(
        "Harbour & <mill> news", author=author, category=category, published_at=utcnow()
    )
    old = factories.make_article(
        "Last week", author=author, category=category, published_at=utcnow() - timedelta(days=3)
    )
    draft = factories.make_article("Draft", category=category, status=ArticleStatus.DRAFT)
    db.session.commit()

    entries = news_entries(client)

    url = f"http://newsroom.test/article/{fresh.slug}"
    assert list(entries) == [url]
    news = entries[url]
    assert news.findtext(f"{NEWS}title") == "Harbour & <mill> news"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert aware(news.findtext(f"{NEWS}publication_date")) == fresh.published_at.replace(
        microsecond=0
    )
    assert not any(old.slug in u or draft.slug in u for u in entries)


def test_news_sitemap_keeps_at_most_the_limit_newest_first(client, category, monkeypatch):
    now = utcnow()
    stories = [
        factories.make_article(
            f"Story {n}", category=category, published_at=now - timedelta(hours=n)
        )
        for n in range(4)
    ]
    db.session.commit()
    monkeypatch.setattr(feeds, "NEWS_LIMIT", 3)

    assert list(news_entries(client)) == [
        f"http://newsroom.test/article/{s.slug}" for s in stories[:3]
    ]
    assert timedelta(days=2) == feeds.NEWS_WINDOW


def test_robots_txt_names_both_sitemaps(client):
    lines = client.get("/robots.txt").get_data(as_text=True).splitlines()

    assert "Sitemap: http://newsroom.test/sitemap.xml" in lines
    assert "Sitemap: http://newsroom.test/sitemap-news.xml" in lines


def test_article_head_asks_for_large_previews_and_names_creators(
    app, client, admin, author, other_author, category
):
    upload(logged_in_client(app, admin), image_bytes("JPEG", size=(1600, 900)), "pier.jpg")
    picture = db.session.scalar(sa.select(Upload).order_by(Upload.id.desc()))
    story = factories.make_article("With a picture", author=author, category=category)
    story.image = picture
    partner = make_guest("Coast Partner", fediverse="@desk@partner.example")
    set_bylines(story, [author, make_guest(), other_author, partner])
    plain = factories.make_article("No picture", author=other_author, category=category)
    db.session.commit()

    html = client.get(f"/article/{story.slug}").get_data(as_text=True)
    bare = client.get(f"/article/{plain.slug}").get_data(as_text=True)

    assert '<meta name="robots" content="max-image-preview:large">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert re.search(r'<meta property="og:image" content="http://newsroom.test/uploads/', html)
    creators = re.findall(r'<meta name="fediverse:creator" content="([^"]+)">', html)
    assert creators == ["@ines@social.example", "@desk@partner.example"]  # no staff handle yet
    assert '<meta name="twitter:card" content="summary">' in bare
    assert "fediverse:creator" not in bare


def check_json_feed(response) -> dict:
    """The rules of JSON Feed 1.1 a reader relies on."""
    assert response.status_code == 200
    assert response.mimetype == "application/feed+json"
    feed = json.loads(response.get_data(as_text=True))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    for key in ("home_page_url", "feed_url"):
        assert feed[key].startswith("http://newsroom.test/")
    assert isinstance(feed["items"], list)
    for author in feed["authors"]:
        assert set(author) & {"name", "url", "avatar"}
    ids = [item["id"] for item in feed["items"]]
    assert len(ids) == len(set(ids)) and all(isinstance(i, str) and i for i in ids)
    for item in feed["items"]:
        assert "content_html" in item or "content_text" in item
        aware(item["date_published"])
        aware(item["date_modified"])
        assert item["url"].startswith("http://newsroom.test/article/")
        for person in item["authors"]:
            assert person["name"] and person["url"].startswith("http://newsroom.test/")
        assert isinstance(item.get("tags", []), list)
        if "image" in item:
            assert item["image"].startswith("http://newsroom.test/")
    return feed


def test_json_feed_of_the_site_carries_every_author_in_order(
    client, author, other_author, category
):
    guest = make_guest()
    story = factories.make_article(
        "Co-written", author=author, category=category, published_at=utcnow()
    )
    set_bylines(story, [guest, other_author, author])
    solo = factories.make_article(
        "Solo", author=author, category=category, published_at=utcnow() - timedelta(hours=1)
    )
    factories.make_article("Draft", category=category, status=ArticleStatus.DRAFT)
    db.session.commit()

    feed = check_json_feed(client.get("/feed.json"))

    assert feed["feed_url"] == "http://newsroom.test/feed.json"
    assert [i["title"] for i in feed["items"]] == ["Co-written", "Solo"]
    first = feed["items"][0]
    assert first["id"] == f"http://newsroom.test/article/{story.slug}"
    assert [a["name"] for a in first["authors"]] == [
        "Ines Freelance",
        other_author.display_name,
        author.display_name,
    ]
    assert first["authors"][0]["url"] == "http://newsroom.test/contributors/ines-freelance"
    assert first["authors"][2]["url"] == f"http://newsroom.test/author/{author.username}"
    assert "<strong>body</strong>" in first["content_html"]
    assert [a["name"] for a in feed["items"][1]["authors"]] == [author.display_name]
    assert solo.slug in feed["items"][1]["url"]


def test_json_feed_per_section_and_discovery_links(client, category):
    other = factories.make_category("Sport")
    mine = factories.make_article("In the section", category=category)
    factories.make_article("Elsewhere", category=other)
    db.session.commit()

    feed = check_json_feed(client.get(f"/category/{category.slug}/feed.json"))
    page = client.get(f"/category/{category.slug}").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)

    assert [i["title"] for i in feed["items"]] == [mine.title]
    assert feed["home_page_url"] == f"http://newsroom.test/category/{category.slug}"
    assert feed["title"].startswith(category.name)
    assert client.get("/category/no-such-section/feed.json").status_code == 404
    assert re.search(
        rf'<link rel="alternate" type="application/feed\+json"[^>]+'
        rf'href="/category/{category.slug}/feed.json"',
        page,
    )
    assert re.search(
        r'<link rel="alternate" type="application/feed\+json"[^>]+href="/feed.json"', home
    )


def test_a_correction_moves_the_json_feed_entry(client, auth, editor, article):
    article.updated_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    before = check_json_feed(client.get("/feed.json"))["items"][0]["date_modified"]
    auth.login(editor)

    response = client.post(
        f"/admin/articles/{article.id}/corrections",
        data={"kind": "correction", "text": "An earlier version misspelled the mayor's name."},
    )

    assert response.status_code in (302, 303)
    after = check_json_feed(client.get("/feed.json"))["items"][0]["date_modified"]
    assert aware(after) > aware(before)


def test_a_writer_sets_a_fediverse_handle_on_their_account(client, auth, author, category):
    story = factories.make_article("Handled", author=author, category=category)
    db.session.commit()
    auth.login(author)
    assert 'name="profile-fediverse"' in client.get("/auth/account").get_data(as_text=True)

    refused = client.post(
        "/auth/account", data={"profile-display_name": "Ann", "profile-fediverse": "ann"}
    )
    saved = client.post(
        "/auth/account",
        data={"profile-display_name": "Ann", "profile-fediverse": " @ann@news.example "},
    )

    assert refused.status_code == 422
    refused_page = refused.get_data(as_text=True)
    assert "Write the handle as @name@server.example." in refused_page
    assert 'value="ann"' in refused_page  # what was typed comes back
    assert saved.status_code == 303
    assert db.session.get(type(author), author.id).fediverse == "@ann@news.example"
    for url in (f"/article/{story.slug}", f"/author/{author.username}"):
        html = client.get(url).get_data(as_text=True)
        assert '<meta name="fediverse:creator" content="@ann@news.example">' in html, url


def test_a_reader_has_no_fediverse_field_and_cannot_set_one(client, auth, reader):
    auth.login(reader)
    assert "profile-fediverse" not in client.get("/auth/account").get_data(as_text=True)

    client.post("/auth/account", data={"profile-fediverse": "@r@x.example"})

    assert db.session.get(type(reader), reader.id).fediverse == ""
