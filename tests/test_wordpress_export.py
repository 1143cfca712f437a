"""`blog export-wordpress`: a WXR 1.2 file that imports back into an empty site unchanged."""

from datetime import timedelta
from xml.etree import ElementTree

import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.core.content import render_comment
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, ArticleStatus, Comment, CommentStatus, Page, Tag
from tests import factories
from tests.conftest import standalone_app

WP = "{http://wordpress.org/export/1.2/}"


def populate() -> None:
    """A site with every status, tags, threads, guests, ]]> and non-ASCII text."""
    writer = factories.make_user(factories.Role.AUTHOR, "writer", display_name="Zoë Writer")
    reader = factories.make_user(factories.Role.READER, "reader1")
    section = factories.make_category("Science Desk")
    tags = [factories.make_tag("Space"), factories.make_tag("Ünïcode")]
    now = utcnow().replace(microsecond=0)
    stories = [
        factories.make_article(
            title="Published ]]> story",
            author=writer,
            category=section,
            body="# Title\n\nText with `]]>` and *émphasis*.\n",
            summary="A summary ]]> with * stars",
            tags=tags,
            published_at=now - timedelta(days=2),
        ),
        factories.make_article(
            title="Scheduled", author=writer, category=section, published_at=now + timedelta(days=3)
        ),
        factories.make_article(
            title="Draft",
            author=writer,
            category=section,
            status=ArticleStatus.DRAFT,
            published_at=None,
        ),
        factories.make_article(
            title="In review",
            author=writer,
            category=section,
            status=ArticleStatus.REVIEW,
            published_at=None,
            comments_open=False,
        ),
    ]
    top = factories.make_comment(stories[0], reader, "First **comment**")
    factories.make_comment(stories[0], writer, "A reply", parent=top)
    guest = Comment(
        article=stories[0],
        body_source="Guest words",
        body_html=render_comment("Guest words"),
        status=CommentStatus.APPROVED,
        guest_name="Gäst",
        guest_email="g@example.org",
        created_at=now - timedelta(hours=1),
    )
    db.session.add(guest)
    factories.make_comment(stories[0], reader, "Held back", status=CommentStatus.PENDING)
    factories.make_page("Über uns", "We are *here*.")
    db.session.commit()
    db.session.execute(
        sa.update(Article).where(Article.id == stories[0].id).values(comment_count=3)
    )
    db.session.commit()


def snapshot() -> dict:
    articles = db.session.scalars(
        sa.select(Article).options(so.selectinload(Article.tags)).order_by(Article.slug)
    )
    out = {"articles": [], "pages": [], "tags": []}
    for a in articles:
        comments = db.session.scalars(
            sa.select(Comment).where(Comment.article_id == a.id).order_by(Comment.created_at)
        )
        out["articles"].append(
            {
                "title": a.title,
                "slug": a.slug,
                "summary": a.summary,
                "body_source": a.body_source,
                "body_html": a.body_html,
                "status": a.status,
                "published_at": a.published_at and a.published_at.replace(microsecond=0),
                "author": a.author.username,
                "author_name": a.author.name,
                "section": (a.category.slug, a.category.name),
                "comments_open": a.comments_open,
                "reading_time": a.reading_time,
                "comment_count": a.comment_count,
                "tags": [(t.slug, t.name) for t in a.tags],
                "comments": [
                    # WXR dates have whole seconds.
                    (
                        c.body_source,
                        c.body_html,
                        c.status,
                        c.created_at.replace(microsecond=0),
                        c.author_name,
                        c.parent.body_source if c.parent else None,
                    )
                    for c in comments
                    if c.status == CommentStatus.APPROVED
                ],
            }
        )
    for p in db.session.scalars(sa.select(Page).order_by(Page.slug)):
        out["pages"].append((p.title, p.slug, p.body_source, p.body_html, p.in_footer, p.position))
    out["tags"] = sorted(db.session.execute(sa.select(Tag.slug, Tag.name)).all())
    return out


def test_export_imports_back_field_by_field(app, runner, tmp_path, migrated_db):
    populate()
    expected = snapshot()
    out = tmp_path / "site.xml"

    result = runner.invoke(args=["export-wordpress", str(out)])

    assert result.exit_code == 0, result.output
    assert "4 posts" in result.output and "3 comments" in result.output
    root = ElementTree.parse(out).getroot()  # well-formed, WXR 1.2
    assert root.find(f"channel/{WP}wxr_version").text == "1.2"
    assert factories.PASSWORD_HASH not in out.read_text()  # no password hashes
    assert "Held back" not in out.read_text()

    (tmp_path / "empty").mkdir()
    with standalone_app(tmp_path / "empty", migrated_db) as other:
        imported = other.test_cli_runner().invoke(args=["import-wordpress", str(out)])
        assert imported.exit_code == 0, imported.output
        db.session.remove()
        got = snapshot()
        # Default pages (About, Donate, Privacy) exist on both sites and keep theirs.
        for mine, theirs in zip(got["articles"], expected["articles"], strict=True):
            for key in theirs:
                assert (key, mine[key]) == (key, theirs[key])
        assert [p for p in got["pages"] if p[1] == "uber-uns"] == [
            p for p in expected["pages"] if p[1] == "uber-uns"
        ]
        assert set(expected["tags"]) <= set(got["tags"])


def test_non_ascii_slugs_leave_as_wordpress_writes_them_and_come_back(
    app, runner, tmp_path, migrated_db
):
    """WordPress keeps slugs percent-encoded; given as text, its importer strips accents
    ("café" -> "cafe") and the address changes (found with bench/wordpress_real.py)."""
    story = factories.make_article(title="Level two", slug="επίπεδο-2")
    tag = factories.make_tag("Café")
    tag.slug = "café"
    story.tags.append(tag)
    db.session.commit()
    out = tmp_path / "site.xml"

    assert runner.invoke(args=["export-wordpress", str(out)]).exit_code == 0

    root = ElementTree.parse(out).getroot()
    names = [e.text for e in root.iter(f"{WP}post_name")]
    assert "%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2" in names
    assert [e.text for e in root.iter(f"{WP}tag_slug")] == ["caf%c3%a9"]
    (tmp_path / "empty").mkdir()
    with standalone_app(tmp_path / "empty", migrated_db) as other:
        imported = other.test_cli_runner().invoke(args=["import-wordpress", str(out)])
        assert imported.exit_code == 0, imported.output
        assert db.session.scalar(sa.select(Article.slug).where(Article.title == "Level two")) == (
            "επίπεδο-2"
        )
        assert db.session.scalar(sa.select(Tag.slug).where(Tag.name == "Café")) == "café"
