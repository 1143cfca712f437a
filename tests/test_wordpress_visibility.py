"""Nothing WordPress hid becomes public here, and no old link reveals a hidden address.

Every WordPress visibility of a post and a page (public, private, password-protected,
draft, pending, future, trash, auto-draft) is imported from one export built here, and
each is looked for where a reader could find it: its page, the home list, the feed,
the sitemap, search, its comments and its old `/?p=ID` link.
"""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, ArticleStatus, Comment, Page
from tests.shared import write_wxr

SITE = "https://hidden.example.org"
FUTURE = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S")

# (WordPress id, post type, status, password, slug)
ITEMS = [
    (101, "post", "publish", "", "open-post"),
    (102, "post", "private", "", "private-post"),
    (103, "post", "publish", "hunter2", "password-post"),
    (104, "post", "draft", "", "draft-post"),
    (105, "post", "pending", "", "pending-post"),
    (106, "post", "future", "", "future-post"),
    (107, "post", "trash", "", "trashed-post__trashed"),
    (108, "post", "auto-draft", "", "auto-draft-post"),
    (109, "post", "future", "s3cret", "future-password-post"),
    (201, "page", "publish", "", "open-page"),
    (202, "page", "private", "", "private-page"),
    (203, "page", "publish", "hunter2", "password-page"),
    (204, "page", "draft", "", "draft-page"),
    (205, "page", "pending", "", "pending-page"),
    (206, "page", "future", "", "future-page"),
    (207, "page", "trash", "", "trashed-page__trashed"),
    (208, "page", "auto-draft", "", "auto-draft-page"),
]


def item_xml(wp_id: int, kind: str, status: str, password: str, slug: str) -> str:
    date = FUTURE if status == "future" else "2025-03-01 09:00:00"
    words = slug.replace("-", " ")
    comment = (
        f"""<wp:comment><wp:comment_id>{wp_id}1</wp:comment_id>
        <wp:comment_author><![CDATA[Reader of {words}]]></wp:comment_author>
        <wp:comment_author_email>r@example.org</wp:comment_author_email>
        <wp:comment_date_gmt>2025-03-02 10:00:00</wp:comment_date_gmt>
        <wp:comment_content><![CDATA[Comment on {words} zebracomment{wp_id}]]></wp:comment_content>
        <wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>
        </wp:comment>"""
        if kind == "post"
        else ""
    )
    return f"""<item>
    <title>Title of {words}</title>
    <link>{SITE}/{slug}/</link>
    <dc:creator><![CDATA[editor]]></dc:creator>
    <guid isPermaLink="false">{SITE}/?p={wp_id}</guid>
    <content:encoded><![CDATA[<p>Body of {words} zebrabody{wp_id}.</p>]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>{wp_id}</wp:post_id>
    <wp:post_date>{date}</wp:post_date><wp:post_date_gmt>{date}</wp:post_date_gmt>
    <wp:comment_status>open</wp:comment_status>
    <wp:post_name><![CDATA[{slug}]]></wp:post_name>
    <wp:status><![CDATA[{status}]]></wp:status>
    <wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>
    <wp:post_type><![CDATA[{kind}]]></wp:post_type>
    <wp:post_password><![CDATA[{password}]]></wp:post_password>
    <category domain="category" nicename="news"><![CDATA[News]]></category>
    {comment}
    </item>"""


def export_file(folder, items=ITEMS) -> str:
    body = "".join(item_xml(*item) for item in items)
    return write_wxr(folder / "hidden.xml", SITE, body, title="Hidden")


def run_import(runner, path):
    result = runner.invoke(args=["import-wordpress", path])
    db.session.remove()
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def imported(app, runner, tmp_path):
    return run_import(runner, export_file(tmp_path))


def article(slug: str) -> Article | None:
    return db.session.scalar(sa.select(Article).where(Article.slug == slug))


def page(slug: str) -> Page | None:
    return db.session.scalar(sa.select(Page).where(Page.slug == slug))


def test_each_post_visibility_arrives_as_wordpress_showed_it(imported):
    assert article("open-post").is_public
    assert article("future-post").is_scheduled
    for slug in ("private-post", "password-post", "draft-post", "future-password-post"):
        assert article(slug).status == ArticleStatus.DRAFT, slug
        assert article(slug).published_at is None
    assert article("pending-post").status == ArticleStatus.REVIEW
    assert article("trashed-post") is None and article("auto-draft-post") is None


def test_each_page_visibility_arrives_as_wordpress_showed_it(imported):
    assert page("open-page").published
    for slug in ("private-page", "password-page", "draft-page", "pending-page", "future-page"):
        assert page(slug) is not None and not page(slug).published, slug
    assert page("trashed-page") is None and page("auto-draft-page") is None


def test_the_report_names_every_hidden_or_left_out_item(imported):
    assert "Items kept hidden or left out:" in imported
    for line in [
        "post 102 “Title of private post”: was private; kept hidden here",
        "post 103 “Title of password post”: was password-protected; kept hidden here",
        "post 104 “Title of draft post”: was a draft; kept hidden here",
        "post 105 “Title of pending post”: was pending review; kept hidden here",
        "post 109 “Title of future password post”: was password-protected; kept hidden here",
        "post 107 “Title of trashed post__trashed”: was in the trash; not imported",
        "post 108 “Title of auto draft post”: was an auto-draft WordPress made, never saved;"
        " not imported",
        "page 202 “Title of private page”: was private; kept hidden here",
        "page 203 “Title of password page”: was password-protected; kept hidden here",
        "page 206 “Title of future page”: was scheduled (pages here are not scheduled);"
        " kept hidden here",
        "page 207 “Title of trashed page__trashed”: was in the trash; not imported",
    ]:
        assert line in imported, line
    assert "open post" not in imported.split("Items kept hidden")[1]


HIDDEN_POSTS = [101 + i for i in (1, 2, 3, 4, 8)]
HIDDEN_PAGES = [202, 203, 204, 205, 206]


def test_no_hidden_item_reaches_any_public_place(imported, client):
    open_post = client.get("/article/open-post")
    assert open_post.status_code == 200 and "zebracomment101" in open_post.text
    places = {
        "home": client.get("/").text,
        "feed": client.get("/feed.xml").text,
        "sitemap": client.get("/sitemap.xml").text,
        "section": client.get("/category/news").text,
        "search": client.get("/search?q=body").text,
    }
    assert "No articles match" in client.get("/search?q=zebrabody103").text
    assert "open-post" in places["home"] and "open-post" in places["sitemap"]
    assert "open-page" in places["sitemap"]
    for wp_id, _kind, _status, _password, slug in ITEMS:
        if wp_id in (101, 201):
            continue
        for name, text in places.items():
            assert slug not in text, (slug, name)
            assert f"zebrabody{wp_id}" not in text, (slug, name)
            assert f"zebracomment{wp_id}" not in text, (slug, name)
    for wp_id in HIDDEN_POSTS:
        slug = next(item[4] for item in ITEMS if item[0] == wp_id)
        assert client.get(f"/article/{slug}").status_code == 404
    for wp_id in HIDDEN_PAGES:
        slug = next(item[4] for item in ITEMS if item[0] == wp_id)
        assert client.get(f"/pages/{slug}").status_code == 404
    # The comments of a password-protected post are kept, with it, out of sight.
    kept = db.session.scalar(sa.select(Comment).where(Comment.body_source.contains("103")))
    assert kept is not None and client.get(f"/comments/{kept.id}").status_code == 404


def test_old_links_of_hidden_items_reveal_nothing(imported, client):
    moved = client.get("/?p=101")
    assert moved.status_code == 301 and moved.headers["Location"] == "/article/open-post"
    assert client.get("/?page_id=201").headers["Location"] == "/pages/open-page"
    for wp_id in [*HIDDEN_POSTS, 106, *HIDDEN_PAGES]:
        for link in (f"/?p={wp_id}", f"/?page_id={wp_id}"):
            response = client.get(link)
            assert response.status_code != 301, link
            assert "Location" not in response.headers, link
    slug_link = client.get("/password-post/")
    assert slug_link.status_code == 404 and "password-post" not in slug_link.headers.get(
        "Location", ""
    )


def test_an_old_link_works_again_once_the_article_is_published(imported, client, app):
    assert client.get("/?p=103").status_code != 301
    with app.app_context():
        found = article("password-post")
        found.status, found.published_at = ArticleStatus.PUBLISHED, datetime.now(UTC)
        db.session.commit()
    assert client.get("/?p=103").headers["Location"] == "/article/password-post"


def test_a_rerun_hides_what_an_earlier_release_made_public(imported, runner, tmp_path):
    # What a release that never read wp:post_password left on live sites.
    leaked = article("password-post")
    leaked.status, leaked.published_at = ArticleStatus.PUBLISHED, datetime.now(UTC)
    page("private-page").published = True
    db.session.commit()

    output = run_import(runner, export_file(tmp_path))

    assert article("password-post").status == ArticleStatus.DRAFT
    assert not page("private-page").published
    assert "post 103 “Title of password post”: was public here; now hidden" in output
    assert "page 202 “Title of private page”: was public here; now hidden" in output
    # The open post is untouched by the repair.
    assert article("open-post").is_public
