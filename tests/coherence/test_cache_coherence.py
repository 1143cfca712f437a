"""Every cache on, against every cache off, on one database, after every kind of write.

Two apps share the database: `cached` with the page cache (in-process, one folder, or
Redis) and the per-worker fragments, memos and settings copy; `reference` with all of
them off. A script drives each write the site has through the cached app's real views
and commands (admin, comments, account, CLI), then a scheduled time passing with no
write at all. After each step every public URL is fetched from both apps: the bodies
(per-request tokens masked) and statuses must be identical. The cached app is read
first, so a stale entry stored by the previous step would be served and caught.

No step moves a version by hand: if a write's table or column were missing from
blog/core/cache/invalidation.py's EXPIRES (or classified too narrowly), this test fails.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import (
    Article,
    ArticleVersion,
    Category,
    Comment,
    CommentStatus,
    Page,
    Role,
    Tag,
    Upload,
    User,
)
from tests import factories
from tests.coherence.sites import Site, assert_coherent, public_urls
from tests.conftest import logged_in_client


def ok(response) -> None:
    assert response.status_code in (200, 302, 303), (
        response.status_code,
        response.get_data(as_text=True)[:400],
    )


def article_form(article: Article | None, category_id: int, **overrides: str) -> dict:
    data = {
        "title": article.title if article else "Lighthouse keepers return",
        "slug": article.slug if article else "",
        "summary": article.summary if article else "The lamp is lit again.",
        "body": article.body_source if article else "The lighthouse on the harbour wall.",
        "category_id": str(category_id),
        "tags": "harbour, lighthouse",
        "image_id": str(article.image_id or 0) if article else "0",
        "image_alt": "",
        "comments_open": "y",
        "status": "published",
        "publish_date": "",
        "publish_time": "",
    }
    return data | overrides


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def settings_form(**overrides: str) -> dict:
    return {
        "site_name": "The Newsroom",
        "tagline": "Independent news",
        "about": "About us.",
        "donate_url": "",
        "donate_text": "Please donate.",
        "social_links": "",
        "posts_per_page": "10",
        "comment_policy": "open",
    } | overrides


def steps(site: Site, admin_client, reader_client, runner, midway: Callable[[str], None]):
    """(name, action) for every kind of write; each action asserts it really wrote.

    `midway(name)` compares the two sites inside a step (between two writes, or before
    a timer runs out)."""
    section = lambda: db.session.scalar(sa.select(Category).order_by(Category.position))  # noqa: E731
    new = lambda: db.session.scalar(sa.select(Article).where(Article.title.like("Lighthouse%")))  # noqa: E731

    def create_article():
        ok(admin_client.post("/admin/articles/new", data=article_form(None, section().id)))
        assert new() is not None

    def edit_article():
        a = new()
        form = article_form(a, a.category_id, title="Lighthouse keepers renamed the lamp")
        ok(admin_client.post(f"/admin/articles/{a.id}/edit", data=form))

    def change_slug():
        a = new()
        ok(
            admin_client.post(
                f"/admin/articles/{a.id}/edit", data=article_form(a, a.category_id, slug="lamp")
            )
        )
        assert new().slug == "lamp"

    def unpublish():
        a = new()
        ok(
            admin_client.post(
                f"/admin/articles/{a.id}/edit", data=article_form(a, a.category_id, status="draft")
            )
        )

    def publish():
        a = new()
        ok(admin_client.post(f"/admin/articles/{a.id}/edit", data=article_form(a, a.category_id)))

    scheduled_at: list[float] = []

    def schedule():
        a = new()
        tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
        form = article_form(
            a, a.category_id, status="scheduled", publish_date=tomorrow, publish_time="06:00"
        )
        ok(admin_client.post(f"/admin/articles/{a.id}/edit", data=form))
        assert new().is_scheduled
        scheduled_at.append(time.monotonic())

    def time_passes():
        # The schedule moved to a few seconds from now (a write, like an editor's); then
        # the time comes with no write at all, and the caches must notice by themselves.
        # The comparison before the time must end before it, or the two apps would be
        # compared on either side of it: the time is set well beyond how long the check
        # after `schedule` took (a loaded machine or PostgreSQL needs more than 4 s).
        check_took = time.monotonic() - scheduled_at[-1]
        a = new()
        when = utcnow() + timedelta(seconds=max(4.0, 2.5 * check_took + 1))
        a.published_at = when
        db.session.commit()
        midway("time_passes, before the time")
        assert utcnow() < when, "the comparison took longer than the schedule allowed"
        time.sleep((when - utcnow()).total_seconds() + 0.1)

    def restore_version():
        a = new()
        version = db.session.scalar(
            sa.select(ArticleVersion)
            .where(ArticleVersion.article_id == a.id)
            .order_by(ArticleVersion.id)
        )
        ok(admin_client.post(f"/admin/articles/{a.id}/versions/{version.id}/restore"))

    def desk_writes():
        # The desk's staff-only rows (blog/models/desk.py) expire nothing public: the
        # versions stay put, and the cached pages must still equal the uncached ones.
        from blog.models import ArticleAutosave, ArticleNote, EditorPresence, SiteState

        a = new()
        before = db.session.scalar(sa.select(SiteState.version))
        ok(admin_client.post(f"/admin/articles/{a.id}/heartbeat"))
        data = {"title": a.title, "summary": "", "body": "Autosaved words."}
        ok(admin_client.post(f"/admin/articles/{a.id}/autosave", data=data))
        ok(admin_client.post(f"/admin/articles/{a.id}/notes", data={"note-body": "Check it."}))
        note = db.session.scalar(sa.select(ArticleNote).where(ArticleNote.article_id == a.id))
        ok(admin_client.post(f"/admin/articles/{a.id}/notes/{note.id}/resolve"))
        for model in (ArticleAutosave, ArticleNote, EditorPresence):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) >= 1
        db.session.expire_all()
        assert db.session.scalar(sa.select(SiteState.version)) == before

    def curate_front_page():
        a = new()
        older = db.session.scalar(
            sa.select(Article).where(
                Article.category_id == a.category_id, Article.id != a.id, Article.is_public_clause()
            )  # fmt: skip
        )
        form = {"lead": str(older.id), "count": "2", f"pin-{a.category_id}": str(a.id)}
        ok(admin_client.post("/admin/front-page", data=form))
        from blog.core.cache.site import get_settings

        assert get_settings()["front_lead"] == older.id

    def delete_article():
        ok(admin_client.post(f"/admin/articles/{new().id}/delete"))
        assert new() is None

    def create_category():
        ok(
            admin_client.post(
                "/admin/categories",
                data={"name": "Harbour Life", "slug": "", "description": "Boats."},
            )
        )

    def edit_category():
        c = db.session.scalar(sa.select(Category).where(Category.slug == "harbour-life"))
        ok(
            admin_client.post(
                f"/admin/categories/{c.id}/edit",
                data={
                    "name": "Harbour Living",
                    "slug": "harbour-living",
                    "description": "Boats and people.",
                },
            )
        )

    def move_category():
        c = db.session.scalar(sa.select(Category).where(Category.slug == "harbour-living"))
        ok(admin_client.post(f"/admin/categories/{c.id}/move/up"))

    def move_articles_and_delete_category():
        c = db.session.scalar(sa.select(Category).where(Category.slug == "harbour-living"))
        story = db.session.scalar(sa.select(Article).where(Article.title == "Harbour story 1"))
        ok(
            admin_client.post(
                f"/admin/articles/{story.id}/edit", data=article_form(story, c.id, tags="harbour")
            )
        )
        ok(
            admin_client.post(
                f"/admin/categories/{c.id}/delete", data={"move_to": str(section().id)}
            )
        )

    def rename_tag():
        t = db.session.scalar(sa.select(Tag).where(Tag.slug == "ferry"))
        ok(
            admin_client.post(
                f"/admin/tags/{t.id}/edit", data={"name": "ferries", "slug": "ferries"}
            )
        )

    def merge_tag():
        t = db.session.scalar(sa.select(Tag).where(Tag.slug == "ferries"))
        into = db.session.scalar(sa.select(Tag).where(Tag.slug == "harbour"))
        ok(admin_client.post(f"/admin/tags/{t.id}/merge", data={"into": str(into.id)}))

    def delete_tag():
        t = db.session.scalar(sa.select(Tag).where(Tag.slug == "harbour"))
        ok(admin_client.post(f"/admin/tags/{t.id}/delete"))

    def create_page():
        ok(
            admin_client.post(
                "/admin/pages/new",
                data={
                    "title": "Masthead",
                    "slug": "",
                    "body": "Who we are.",
                    "in_footer": "y",
                    "position": "3",
                },
            )
        )

    def edit_page():
        p = db.session.scalar(sa.select(Page).where(Page.slug == "masthead"))
        ok(
            admin_client.post(
                f"/admin/pages/{p.id}/edit",
                data={
                    "title": "Our masthead",
                    "slug": "masthead",
                    "body": "Who we are, renamed.",
                    "position": "1",
                },
            )
        )

    def delete_page():
        p = db.session.scalar(sa.select(Page).where(Page.slug == "masthead"))
        ok(admin_client.post(f"/admin/pages/{p.id}/delete"))

    def save_settings():
        ok(
            admin_client.post(
                "/admin/settings",
                data=settings_form(site_name="Harbour Herald", posts_per_page="5"),
            )
        )

    def upload_and_use_image():
        ok(
            admin_client.post(
                "/admin/images",
                data={"image": (png(), "pier.png")},
                content_type="multipart/form-data",
            )
        )
        image = db.session.scalar(sa.select(Upload))
        ok(
            admin_client.post(
                f"/admin/articles/{site.lead.id}/edit",
                data=article_form(
                    site.lead,
                    site.lead.category_id,
                    image_id=str(image.id),
                    image_alt="The pier at dawn",
                ),
            )
        )

    def delete_image():
        image = db.session.scalar(sa.select(Upload))
        ok(admin_client.post(f"/admin/images/{image.id}/delete"))

    def change_role():
        ok(
            admin_client.post(
                f"/admin/users/{site.writer.id}/role", data={"role": str(int(Role.EDITOR))}
            )
        )
        ok(
            admin_client.post(
                f"/admin/users/{site.other_reader.id}/role", data={"role": str(int(Role.AUTHOR))}
            )
        )

    def deactivate_and_reactivate():
        ok(admin_client.post(f"/admin/users/{site.writer.id}/deactivate"))
        midway("deactivate")
        ok(admin_client.post(f"/admin/users/{site.writer.id}/reactivate"))

    def approve():
        ok(admin_client.post(f"/admin/comments/{site.pending.id}/approve"))

    def spam_remove_restore():
        first = db.session.scalar(sa.select(Comment).order_by(Comment.id))
        ok(admin_client.post(f"/admin/comments/{first.id}/spam"))
        midway("spam")
        ok(admin_client.post(f"/admin/comments/{first.id}/restore"))
        midway("restore")
        ok(
            admin_client.post(
                "/admin/comments/bulk", data={"action": "remove", "ids": [str(first.id)]}
            )
        )

    def post_and_reply():
        url = f"/article/{site.lead.slug}/comments"
        ok(reader_client.post(url, data={"body": "A reader's view of the pier."}))
        parent = db.session.scalar(
            sa.select(Comment).where(Comment.body_source.like("A reader's view%"))
        )
        assert parent.status == CommentStatus.APPROVED
        ok(
            reader_client.post(
                url, data={"body": "And a reply to it.", "parent_id": str(parent.id)}
            )
        )

    def edit_comment():
        c = db.session.scalar(
            sa.select(Comment).where(Comment.body_source.like("A reader's view%"))
        )
        ok(reader_client.post(f"/comments/{c.id}/edit", data={"body": "A reader's view, edited."}))

    def report_comment():
        c = db.session.scalar(sa.select(Comment).where(Comment.body_source.like("And a reply%")))
        ok(admin_client.post(f"/comments/{c.id}/report", data={"kind": "abuse", "reason": "rude"}))

    def delete_comment():
        c = db.session.scalar(
            sa.select(Comment).where(Comment.body_source.like("A reader's view%"))
        )
        ok(reader_client.post(f"/comments/{c.id}/delete"))

    def block_commenter():
        ok(admin_client.post(f"/admin/comments/block/{site.reader.id}"))
        midway("block")
        ok(admin_client.post(f"/admin/comments/unblock/{site.reader.id}"))

    def display_name():
        form = {"profile-display_name": "Rita R.", "profile-bio": ""}
        ok(reader_client.post("/auth/account", data=form))

    def bio():
        form = {"profile-display_name": "Rita R.", "profile-bio": "Reads the harbour news."}
        ok(reader_client.post("/auth/account", data=form))

    def account_deletion():
        reader_id = site.reader.id
        ok(
            reader_client.post(
                "/auth/account/delete",
                data={"delete-current_password": factories.PASSWORD, "delete-confirm": "y"},
            )
        )
        assert db.session.get(User, reader_id) is None

    def cli_create_user():
        result = runner.invoke(
            args=[
                "create-user",
                "cora",
                "cora@example.com",
                "--role",
                "author",
                "--password",
                "a long enough passphrase",
            ]
        )
        assert result.exit_code == 0, result.output

    def cli_demo():
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output

    def cli_reindex():
        result = runner.invoke(args=["reindex"])
        assert result.exit_code == 0, result.output

    def count_views():
        # Beacons, their flush, the roll-up and the pruning write five audience tables,
        # none of which a public page shows: no version may move (EXPIRES says NONE).
        from blog.audience.store import buffer

        reader = runner.app.test_client()
        headers = {"User-Agent": "Mozilla/5.0 Firefox/133.0", "Sec-Fetch-Site": "same-origin"}
        for page in ("article:1", "home", "section:1"):
            assert reader.post(f"/hit?p={page}", headers=headers).status_code == 204
        assert buffer(runner.app).flush() == 3
        result = runner.invoke(args=["audience-rollup"])
        assert result.exit_code == 0, result.output

    actions = [
        create_article, edit_article, change_slug, unpublish, publish, schedule, time_passes,
        restore_version, desk_writes, curate_front_page, delete_article, create_category,
        edit_category, move_category,
        move_articles_and_delete_category, rename_tag, merge_tag, delete_tag, create_page,
        edit_page, delete_page, save_settings, upload_and_use_image, delete_image, change_role,
        deactivate_and_reactivate, approve, spam_remove_restore, post_and_reply, edit_comment,
        report_comment, delete_comment, block_commenter, display_name, bio, account_deletion,
        cli_create_user, cli_demo, cli_reindex, count_views,
    ]  # fmt: skip
    return [(action.__name__, action) for action in actions]


def test_cached_pages_equal_uncached_pages_after_every_write(app, reference, site, runner):
    admin_client = logged_in_client(app, site.admin)
    reader_client = logged_in_client(app, site.reader)
    checked: list[str] = []

    def check(step: str) -> None:
        assert_coherent(app, reference, step, public_urls())
        checked.append(step)

    check("start")
    for name, action in steps(site, admin_client, reader_client, runner, check):
        action()
        check(name)
    assert len(checked) == 1 + 40 + 5  # every step ran, and every check inside them
