"""`blog import-ghost`: Ghost 4, 5 and 6 exports, visibility, bodies, images, redirects,
re-runs, members' consent and bad files."""

import json

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import (
    Article,
    Category,
    ImportRecord,
    Page,
    Redirect,
    Subscriber,
    SubscriberState,
    Tag,
    Upload,
    User,
)
from tests.shared import GHOST, ghost_images

FIXTURES = GHOST
GHOST5, GHOST4, GHOST6 = (FIXTURES / f"ghost-{n}.json" for n in (5, 4, 6))


def run(runner, *args):
    result = runner.invoke(args=["import-ghost", *map(str, args)])
    db.session.remove()
    return result


def row(output: str, kind: str) -> list[int]:
    line = next(line for line in output.splitlines() if line.split()[:1] == [kind])
    return [int(n) for n in line.split()[1:]]


def article(slug: str) -> Article | None:
    return db.session.scalar(sa.select(Article).where(Article.slug == slug))


def page(slug: str) -> Page | None:
    return db.session.scalar(sa.select(Page).where(Page.slug == slug))


def redirect(source: str) -> str | None:
    return db.session.scalar(sa.select(Redirect.target).where(Redirect.source == source))


@pytest.fixture
def imported(app, runner, tmp_path):
    result = run(runner, GHOST5, "--images", ghost_images(tmp_path / "images"))
    assert result.exit_code == 0, result.output
    return result


def test_public_post_keeps_body_dates_section_tags_author_and_image(imported):
    storm = article("storm-closes-the-harbour")
    assert storm.status == "published" and storm.is_public
    assert storm.published_at.isoformat() == "2024-03-01T10:00:00+00:00"
    assert storm.summary == "The inner basin closed at dawn."
    # The primary (first public) tag is the section; Ghost's internal #tag is left out.
    assert storm.category.name == "Harbour News"
    assert storm.category.description == "Ships, quays and the people on them."
    assert [t.name for t in storm.tags] == ["Weather"]
    assert db.session.scalar(sa.select(Tag).where(Tag.slug == "weather")).description
    assert storm.author.display_name == "Mira Sørensen"
    assert storm.author.bio == "Harbour reporter since 2009."
    assert storm.image is not None and storm.image.width == 800
    assert storm.image_alt == "Waves over the harbour wall"
    assert "**inner basin**" in storm.body_source
    assert "What next" in storm.body_html and "<li>Ferries wait</li>" in storm.body_html
    # The body's image (a resized copy) is the one file, copied; nothing executable.
    quay = db.session.scalar(sa.select(Upload).where(Upload.width == 300))
    assert (
        f"/uploads/{quay.filename}" in storm.body_html
        and 'alt="The quay at dawn"' in storm.body_html
    )
    assert "__GHOST_URL__" not in storm.body_source
    for bad in ("<script", "onclick", "alert("):
        assert bad not in storm.body_html
    assert "Tide table" in storm.body_html


def test_visibility_nothing_hidden_becomes_public(imported):
    assert article("new-pier").is_scheduled
    for slug in (
        "members-briefing",
        "paid-investigation",
        "gold-tier-letter",
        "unfinished-draft",
        "email-only-dispatch",
        "newsletter-only-post",
    ):
        found = article(slug)
        assert found is not None and found.status == "draft" and not found.is_public, slug
        assert found.published_at is None
    assert article("weird-status") is None
    assert page("about-2").published and not page("members-page").published
    out = imported.output
    assert "“Members briefing”: was for members only; kept hidden here" in out
    assert "“Paid investigation”: was for paying members only" in out
    assert "“Gold tier letter”: was for some tiers only" in out
    assert "“Unfinished draft”: was a draft" in out
    assert "“Email only dispatch”: was sent by email only" in out
    assert "“Newsletter only post”: was sent by email only" in out
    assert "“Members page”: was for members only" in out
    assert "“Weird status”: has the unknown status 'archived'; not imported" in out


def test_hidden_posts_stay_off_every_public_page(imported, client):
    for path in ("/", "/feed.xml", "/sitemap.xml", "/category/harbour-news"):
        body = client.get(path).get_data(as_text=True)
        assert "Only for members" not in body and "Members briefing" not in body, path
        assert "Paid secret" not in body and "Tier secret" not in body, path
    assert client.get("/article/members-briefing").status_code == 404
    # The old address does not reveal the hidden post's slug either.
    response = client.get("/members-briefing/")
    assert response.status_code == 404 and response.location is None


def test_old_addresses_redirect(imported, client):
    assert redirect("/storm-closes-the-harbour") == "/article/storm-closes-the-harbour"
    response = client.get("/storm-closes-the-harbour/")
    assert response.status_code == 301
    assert response.location.endswith("/article/storm-closes-the-harbour")
    about = db.session.scalar(sa.select(Page).where(Page.title == "About us"))
    assert about.slug == "about-2"  # the site's own /pages/about was there first
    assert client.get("/about/").location.endswith("/pages/about-2")
    assert client.get("/tag/weather/").location.endswith("/tag/weather")
    assert client.get("/tag/harbour-news/").location.endswith("/category/harbour-news")
    assert client.get("/author/mira/").location.endswith("/author/mira")
    assert client.get("/rss/").location.endswith("/feed.xml")
    storm = article("storm-closes-the-harbour")
    assert client.get("/content/images/2024/03/harbour.jpg").location.endswith(
        f"/uploads/{storm.image.filename}"
    )
    assert client.get("/café-owners/").location.endswith("/article/caf%C3%A9-owners")


def test_rerun_changes_nothing(imported, runner, tmp_path):
    before = {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Article, Page, Category, Tag, User, Upload, Redirect, ImportRecord)
    }
    again = run(runner, GHOST5, "--images", ghost_images(tmp_path / "again"))
    assert again.exit_code == 0, again.output
    assert row(again.output, "posts") == [0, 0, 9, 1, 0]
    assert row(again.output, "pages") == [0, 0, 2, 0, 0]
    assert row(again.output, "images")[0] == 0
    after = {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Article, Page, Category, Tag, User, Upload, Redirect, ImportRecord)
    }
    assert after == before


def test_report_keeps_every_author_for_later(app, runner, tmp_path):
    from blog.importers.ghost.importer import import_ghost

    with app.app_context():
        report = import_ghost(str(GHOST5), dry_run=True)
    storm = next(p for p in json.loads(GHOST5.read_text())["db"][0]["data"]["posts"]
                 if p["slug"] == "storm-closes-the-harbour")  # fmt: skip
    assert report.to_json()["authors"][storm["id"]] == ["mira", "jon"]
    assert report.count("posts", "imported") == 9


def test_dry_run_writes_nothing(app, runner):
    result = run(runner, GHOST5, "--dry-run", "--members", FIXTURES / "members.csv")
    assert result.exit_code == 0, result.output
    assert "dry run, nothing was written" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0


def test_without_images_folder_images_are_reported(app, runner):
    result = run(runner, GHOST5)
    assert result.exit_code == 0, result.output
    assert "no --images folder given" in result.output
    assert article("storm-closes-the-harbour").image is None


def test_ghost4_mobiledoc_and_ghost6_lexical(app, runner, tmp_path):
    images = ghost_images(tmp_path / "images")
    ghost4 = run(runner, GHOST4, "--images", images)
    assert ghost4.exit_code == 0, ghost4.output
    assert "feature image not stored by Ghost (1)" in ghost4.output
    result = run(runner, GHOST6)
    assert result.exit_code == 0, result.output
    assert "Ghost 6.3.0" in result.output
    draft = article("mobiledoc-draft")
    assert draft.status == "draft"
    html = draft.body_html
    assert "<strong>Bold</strong>" in html and '<a href="https://example.org/"' in html
    assert "Heading two" in html and "<li>second</li>" in html
    assert "From markdown" in html and "/uploads/" in html
    assert article("filtered-by-product").status == "draft"
    old = article("old-harbour-history")
    assert old.is_public and old.image is None  # a hotlinked image is never fetched
    lexical = article("lexical-only")
    assert "<em>lexical</em>" in lexical.body_html and "<blockquote>" in lexical.body_html


def test_lexical_only_draft_renders_every_card(imported):
    html = article("unfinished-draft").body_html
    assert "<strong>bold</strong>" in html and "Sub head" in html
    assert "<em>card</em>" in html and "<script" not in html
    assert "<strong>markdown</strong>" in html and "<hr" in html
    assert "one" in html and 'href="https://example.org/x"' in html


def test_members_only_subscribed_ones_become_subscribers(app, runner):
    result = run(runner, GHOST6, "--members", FIXTURES / "members.csv")
    assert result.exit_code == 0, result.output
    subscribers = {s.email: s for s in db.session.scalars(sa.select(Subscriber))}
    assert set(subscribers) == {"ana@reader.example", "cleo@reader.example"}
    assert all(s.state == SubscriberState.ACTIVE and s.source == "import"
               for s in subscribers.values())  # fmt: skip
    assert row(result.output, "subscribers") == [2, 0, 0, 2, 0]


def test_members_who_unsubscribed_since_are_stopped(app, runner, tmp_path):
    assert run(runner, GHOST6, "--members", FIXTURES / "members.csv").exit_code == 0
    later = tmp_path / "later.csv"
    later.write_text("email,subscribed_to_emails\nana@reader.example,false\n")
    result = run(runner, GHOST6, "--members", later)
    assert result.exit_code == 0, result.output
    ana = db.session.scalar(sa.select(Subscriber).where(Subscriber.email == "ana@reader.example"))
    assert ana.state == SubscriberState.UNSUBSCRIBED


def test_members_file_without_consent_column_is_refused(app, runner, tmp_path):
    bad = tmp_path / "members.csv"
    bad.write_text("email,name\nana@reader.example,Ana\n")
    result = run(runner, GHOST6, "--members", bad)
    assert result.exit_code == 1
    assert "no one's consent is known" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<rss>not json</rss>", "not JSON"),
        (b'{"db": [{"meta": {}}]}', 'no "db[0].data"'),
        (b'{"db": [{"data": {"tags": []}}]}', 'no "posts" table'),
        (b"[1, 2, 3]", 'no "db[0].data"'),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[" * 100_000, "not a Ghost export"),
        (b'{"db": [{"data": {"posts": {"a": 1}}}]}', "not a list of rows"),
    ],
)
def test_bad_files_get_a_clear_message(app, runner, tmp_path, content, message):
    bad = tmp_path / "export.json"
    bad.write_bytes(content)
    result = run(runner, bad)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_odd_rows_do_not_crash(app, runner, tmp_path):
    data = json.loads(GHOST6.read_text())
    posts = data["db"][0]["data"]["posts"]
    posts.append({"id": "x1", "title": None, "slug": None, "status": "published",
                  "lexical": "{not json", "visibility": "public"})  # fmt: skip
    posts.append({"id": "x2", "title": "Deep", "slug": "deep", "status": "published",
                  "html": "<div>" * 50_000, "visibility": "public"})  # fmt: skip
    posts.append({"id": "x3", "title": "Odd", "type": "snippet", "status": "published"})
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps(data))
    result = run(runner, odd)
    assert result.exit_code == 0, result.output
    assert "body document unreadable" in result.output
    assert article("lexical-only").is_public
