"""`blog import-wordpress`: what a WordPress export becomes, re-runs, dry runs, bad files."""

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from blog.extensions import db
from blog.models import (
    Article,
    AuditLog,
    Category,
    Comment,
    ImportRecord,
    Page,
    Redirect,
    Role,
    SiteState,
    Tag,
    Upload,
    User,
)
from tests import factories
from tests.shared import SELFHOSTED
from tests.shared import wordpress_uploads as make_uploads

FIXTURES = Path(__file__).parent / "wordpress"


def run_import(runner, *args: str):
    result = runner.invoke(args=["import-wordpress", *map(str, args)])
    db.session.remove()
    return result


def row(output: str, kind: str) -> list[int]:
    """A row of the report: imported, updated, unchanged, skipped, failed."""
    line = next(line for line in output.splitlines() if line.split()[:1] == [kind])
    return [int(n) for n in line.split()[1:]]


def article(slug: str) -> Article:
    return db.session.scalar(sa.select(Article).where(Article.slug == slug))


def counts() -> dict[str, int]:
    models = (Article, Page, Comment, Category, Tag, User, Upload, Redirect, ImportRecord)
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models
    }


@pytest.fixture
def imported(app, runner, tmp_path):
    result = run_import(runner, SELFHOSTED, "--uploads", make_uploads(tmp_path / "uploads"))
    assert result.exit_code == 0, result.output
    return result


def test_posts_keep_status_dates_slugs_sections_tags_and_image(imported):
    storm = article("storm-closes-the-harbour")
    assert storm.status == "published" and storm.is_public
    assert storm.published_at.isoformat() == "2025-01-05T08:30:00+00:00"
    assert storm.title == "Storm closes the harbour – again"
    # A grandchild category becomes its top-level section and is kept as a tag.
    assert storm.category.slug == "harbour-news" and storm.category.name == "Harbour News"
    assert [t.name for t in storm.tags] == ["Night ferries", "Weather"]
    assert storm.author.display_name == "Mira Sørensen"
    assert storm.author.role == Role.AUTHOR and "$" not in storm.author.password_hash
    assert storm.image is not None and storm.image.width == 800
    assert storm.summary == "The harbour master closed the inner basin at dawn."  # <!--more-->
    assert storm.comments_open and storm.comment_count == 3
    assert article("new-pier-opens").is_scheduled
    assert article("draft-without-a-slug").status == "draft"
    assert article("pending-piece").status == "review"
    assert article("private-memo").status == "draft"
    assert article("binned") is None and article("binned-trashed") is None
    cafe = article("café-owners")  # WordPress keeps Unicode slugs, and so does the import
    assert not cafe.comments_open and cafe.summary == "Café owners want a roof on the quay."
    assert [t.slug for t in cafe.tags] == ["ålesund"]
    page = db.session.scalar(sa.select(Page).where(Page.slug == "about-the-herald"))
    assert "since 1921" in page.body_html and not page.in_footer
    draft_page = db.session.scalar(sa.select(Page).where(Page.slug == "draft-page"))
    assert draft_page is not None and not draft_page.published  # a draft here too


def test_bodies_become_markdown_that_renders_through_the_sanitizer(imported):
    storm = article("storm-closes-the-harbour")
    assert "**inner basin**" in storm.body_source and "## What it means" in storm.body_source
    assert "wp:paragraph" not in storm.body_source and "tracker" not in storm.body_source
    assert "<script" not in storm.body_html
    assert f'src="/uploads/{storm.image.filename}"' in storm.body_html
    # Sized in the batch that imported it, before its row was written.
    assert 'width="800" height="600" decoding="async" srcset=' in storm.body_html
    assert '<a href="https://www.youtube.com/watch?v=storm1">' in storm.body_html
    cafe = article("café-owners")  # WordPress keeps Unicode slugs, and so does the import
    assert "*The quay in winter*" in cafe.body_source  # [caption]
    assert cafe.body_source.count("](/uploads/") == 2  # the caption's image and the [gallery]
    assert "[sic] Kept text" in cafe.body_html
    assert "contact-form-7" not in cafe.body_source
    assert "<code>]]&gt;</code>" in cafe.body_html  # CDATA split across two sections
    assert (
        "<iframe" not in cafe.body_html
        and "https://maps.example.com/embed?q=quay" in cafe.body_html
    )
    assert "<p>Three café owners met the council on Monday.</p>" in cafe.body_html  # wpautop


@pytest.mark.parametrize(
    ("html", "shown"),
    [
        ("<p># hashtag day</p>", "<p># hashtag day</p>"),
        ("<p>1986. A good year</p>", "<p>1986. A good year</p>"),
        ("<p>Use &lt;b&gt; for bold, AT&amp;T</p>", "<p>Use &lt;b&gt; for bold, AT&amp;T</p>"),
        (
            "<pre><code>if a &lt; b:\n  go()</code></pre>",
            "<pre><code>if a &lt; b:\n  go()\n</code></pre>",
        ),
    ],
)
def test_text_that_looks_like_markup_stays_text(html, shown):
    from blog.core.content import render_article
    from blog.importers.wordpress.convert import to_markdown

    assert render_article(to_markdown(html).markdown).strip() == shown


def test_comments_keep_states_threads_and_guest_names(imported, client):
    storm = article("storm-closes-the-harbour")
    rows = {c.body_source.split()[0]: c for c in db.session.scalars(sa.select(Comment))}
    assert rows["Stay"].status == "approved" and rows["Stay"].guest_name == "Ola Nordmann"
    assert rows["Stay"].guest_email == "ola@example.net" and rows["Stay"].author_id is None
    assert (
        rows["Thanks"].author_id == storm.author_id and rows["Thanks"].parent_id == rows["Stay"].id
    )
    # Three deep: attached to the top-level ancestor, after its sibling in time.
    assert rows["A"].parent_id == rows["Stay"].id
    assert rows["Held"].status == "pending" and rows["Buy"].status == "spam"
    assert "Pingback" not in rows and "Trashed" not in rows

    page = client.get("/article/storm-closes-the-harbour").get_data(as_text=True)
    assert "Ola Nordmann" in page and "Stay safe out there." in page
    assert "ola@example.net" not in page and "Cheap pills" not in page


def test_report_counts_and_reasons(imported):
    out = imported.output
    assert "WordPress import of https://herald.example.org (WXR 1.2)" in out
    assert "posts skipped: post type 'revision' (1)" in out
    assert "posts skipped: status 'trash' (1)" in out
    assert "comments skipped: pingback (1)" in out
    assert "images failed: missing in the uploads folder: 2024/12/missing.jpg (1)" in out
    assert "script (1)" in out and "shortcode [contact-form-7] (1)" in out
    assert db.session.scalar(
        sa.select(AuditLog.detail).where(AuditLog.action == "wordpress.import")
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/?p=10", "/article/storm-closes-the-harbour"),
        ("/?p=10&utm_source=x", "/article/storm-closes-the-harbour"),
        ("/2025/01/05/storm-closes-the-harbour/", "/article/storm-closes-the-harbour"),
        ("/2024/12/cafe-owners/", "/article/caf%C3%A9-owners"),
        ("/?page_id=30", "/pages/about-the-herald"),
        ("/about-the-herald/", "/pages/about-the-herald"),
        ("/category/harbour-news/", "/category/harbour-news"),
        ("/category/harbour-news/feed/", "/category/harbour-news/feed.xml"),
        ("/category/harbour-news/ferries/night-ferries/", "/tag/night-ferries"),
        ("/tag/weather/", "/tag/weather"),
        ("/tag/%c3%a5lesund/", "/tag/%C3%A5lesund"),
        ("/author/mira/", "/author/mira"),
        ("/feed/", "/feed.xml"),
    ],
)
def test_old_links_answer_301(imported, client, old, new):
    response = client.get(old)

    assert response.status_code == 301
    assert response.headers["Location"] == new
    assert client.get(new).status_code == 200


def test_old_image_links_and_unknown_addresses(imported, client):
    storm = article("storm-closes-the-harbour")
    response = client.get("/wp-content/uploads/2025/01/harbour.jpg")
    assert response.headers["Location"] == f"/uploads/{storm.image.filename}"
    assert client.get(response.headers["Location"]).status_code == 200
    assert client.get("/2031/01/01/never-was/").status_code == 404
    assert client.get("/?p=999").status_code == 404  # an id nothing holds: not the home page


def test_second_run_changes_nothing(imported, runner, tmp_path):
    before = counts()
    version = db.session.scalar(sa.select(SiteState.version))

    again = run_import(runner, SELFHOSTED, "--uploads", tmp_path / "uploads")

    assert again.exit_code == 0, again.output
    assert counts() == before
    assert db.session.scalar(sa.select(SiteState.version)) == version
    assert row(again.output, "posts") == [0, 0, 6, 3, 0]
    assert row(again.output, "comments") == [0, 0, 5, 2, 0]


def test_newer_export_updates_what_changed_and_keeps_local_edits(imported, runner, tmp_path):
    text = SELFHOSTED.read_text()
    newer = tmp_path / "newer.xml"
    newer.write_text(
        text.replace("Unfinished.", "Finished now.")
        .replace("Please check.", "Checked.")
        .replace("<wp:comment_id>106</wp:comment_id>", "<wp:comment_id>107</wp:comment_id>")
        .replace("[CDATA[trash]]", "[CDATA[1]]")
    )
    edited = article("pending-piece")
    edited.title = "Edited here"
    db.session.commit()

    result = run_import(runner, newer, "--uploads", tmp_path / "uploads")

    assert result.exit_code == 0, result.output
    assert "Finished now." in article("draft-without-a-slug").body_html
    assert article("pending-piece").title == "Edited here"
    assert "posts skipped: edited on this site since the import; kept (1)" in result.output
    assert db.session.scalar(sa.select(Comment).where(Comment.guest_name == "Binned")) is not None
    assert row(result.output, "posts") == [0, 1, 4, 4, 0]  # a new comment is not a new post
    assert row(result.output, "comments")[0] == 1


def test_dry_run_reports_and_writes_nothing(app, runner, tmp_path):
    before = counts()

    result = run_import(runner, SELFHOSTED, "--dry-run", "--uploads", make_uploads(tmp_path / "u"))

    assert result.exit_code == 0, result.output
    assert "dry run, nothing was written" in result.output
    assert row(result.output, "posts") == [6, 0, 0, 3, 0]
    assert row(result.output, "comments") == [5, 0, 0, 2, 0]
    assert counts() == before
    assert not (Path(app.instance_path) / "uploads").exists() or not any(
        (Path(app.instance_path) / "uploads").iterdir()
    )


def test_slug_clash_with_an_existing_article_is_renamed_and_reported(app, runner):
    mine = factories.make_article(title="Mine", slug="café-owners")
    db.session.commit()

    result = run_import(runner, SELFHOSTED)

    assert 'slug "café-owners" was taken here; renamed "café-owners-2"' in result.output
    assert article("café-owners").id == mine.id
    assert article("café-owners-2").title.startswith("Classic")
    assert "images skipped: no --uploads folder given" in result.output


def test_map_author_gives_posts_to_an_existing_user(app, runner, editor):
    result = run_import(runner, SELFHOSTED, "--map-author", f"mira={editor.username}")

    assert result.exit_code == 0, result.output
    assert article("storm-closes-the-harbour").author_id == editor.id
    missing = run_import(runner, SELFHOSTED, "--map-author", "mira=nobody")
    assert missing.exit_code == 1 and "no user 'nobody'" in missing.output


@pytest.mark.parametrize(
    ("fixture", "slug", "section", "tag"),
    [
        ("wordpresscom-1.1.xml", "uber-den-fjord", "reisen", "norwegen"),
        ("wxr-1.0.xml", "summer-fete", "parish", "fete"),
    ],
)
def test_other_flavours_and_versions(app, runner, client, tmp_path, fixture, slug, section, tag):
    uploads = tmp_path / "uploads" / "2019/07"
    uploads.mkdir(parents=True)
    Image.new("RGB", (40, 30), "red").save(uploads / "boat.jpg")

    result = run_import(runner, FIXTURES / fixture, "--uploads", tmp_path / "uploads")

    assert result.exit_code == 0, result.output
    found = article(slug)
    assert found.is_public and found.category.slug == section
    assert [t.slug for t in found.tags] == [tag]
    assert found.author is not None
    if fixture.startswith("wordpresscom"):
        assert "Grüße" in found.body_html and "/uploads/" in found.body_html
        assert db.session.scalar(sa.select(Comment.guest_name)) == "Åse"
        assert client.get("/2019/07/14/uber-den-fjord/").headers["Location"] == f"/article/{slug}"
    else:  # a site in a sub-folder: /blog/?p=3
        assert client.get("/blog/?p=3").headers["Location"] == f"/article/{slug}"


BAD_FILES = {
    "malformed": (
        '<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/">\n'
        "<channel><item><title>x</title></channel></rss>",
        "not well-formed XML at line 3",
    ),
    "html": ("<html><body>Not an export</body></html>", "not a WordPress export"),
    "plain-rss": (
        "<rss><channel><title>A feed</title></channel></rss>",
        "RSS feed, not a WordPress",
    ),
    "entity-bomb": (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&b;</title></channel></rss>',
        "declares XML entities",
    ),
    "external-entity": (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&x;</title></channel></rss>',
        "declares XML entities",
    ),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_files_get_a_clear_error_and_nothing_written(app, runner, tmp_path, name):
    text, message = BAD_FILES[name]
    path = tmp_path / f"{name}.xml"
    path.write_text(text)
    before = counts()

    result = run_import(runner, path)

    assert result.exit_code == 1
    assert message in result.output
    assert counts() == before


def test_a_file_broken_near_its_end_writes_nothing(app, runner, tmp_path):
    broken = tmp_path / "broken.xml"
    shutil.copy(SELFHOSTED, broken)
    broken.write_text(SELFHOSTED.read_text().replace("</channel>", "<item></channel>"))

    result = run_import(runner, broken)

    assert result.exit_code == 1 and "line" in result.output
    assert article("storm-closes-the-harbour") is None


def test_liberal_input_bom_controls_and_missing_fields(app, runner, tmp_path):
    path = tmp_path / "odd.xml"
    path.write_bytes(
        b'\xef\xbb\xbf\n  <?xml version="1.0" encoding="UTF-8"?>'
        b'<rss xmlns:wp="http://wordpress.org/export/1.3/"><channel>'
        b"<item><title>Odd\x0b &lt;em&gt;one&lt;/em&gt;</title><wp:post_id>1</wp:post_id>"
        b"<wp:post_type>post</wp:post_type></item></channel></rss>"
    )

    result = run_import(runner, path)

    assert result.exit_code == 0, result.output
    odd = article("odd-one")
    assert odd.title == "Odd one" and odd.is_public and odd.category.slug == "uncategorized"
