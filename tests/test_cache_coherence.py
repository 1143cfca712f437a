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

import functools
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from blog import create_app
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import (
    Article,
    ArticleByline,
    ArticleCorrection,
    ArticleVersion,
    Category,
    Comment,
    CommentStatus,
    GuestAuthor,
    Page,
    Role,
    Tag,
    Upload,
    User,
)
from blog.trust.api import set_bylines
from tests import factories
from tests.conftest import IsolatedClient, base_config, logged_in_client
from tests.shared import mask_tokens


@pytest.fixture(params=["simple", "filesystem", "redis"])
def app_config(request, tmp_path) -> dict:
    cache = {"PAGE_CACHE": True, "MEMO_CACHE": True, "PUBLIC_CACHE_SECONDS": 600}
    if request.param == "filesystem":
        return cache | {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(tmp_path / "pages")}
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        return cache | {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": url,
            "CACHE_KEY_PREFIX": f"coherence-{id(request)}:",
        }
    return cache | {"CACHE_TYPE": "SimpleCache"}


@pytest.fixture
def reference(app, tmp_path):
    """The same database with every cache off."""
    other = create_app(
        base_config(tmp_path / "unused.sqlite3", tmp_path)
        | {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PAGE_CACHE": False,
            "MEMO_CACHE": False,
        }
    )
    other.test_client_class = IsolatedClient
    yield other
    with other.app_context():
        db.engine.dispose()


@dataclass
class Site:
    admin: User
    writer: User
    reader: User
    other_reader: User
    lead: Article
    pending: Comment
    search_word: str = "harbour"


@pytest.fixture
def site(app) -> Site:
    admin = factories.make_user(Role.ADMIN, username="adam")
    writer = factories.make_user(Role.AUTHOR, username="wendy", display_name="Wendy Writer")
    reader = factories.make_user(Role.READER, username="rita", display_name="Rita Reader")
    other = factories.make_user(Role.READER, username="oscar")
    harbour = factories.make_tag("harbour")
    ferry = factories.make_tag("ferry")
    sections = db.session.scalars(sa.select(Category).order_by(Category.position)).all()
    articles = [
        factories.make_article(
            f"Harbour story {i}",
            author=writer if i % 2 else admin,
            category=sections[i % 3],
            tags=[harbour] + ([ferry] if i % 3 == 0 else []),
            body=f"The harbour pier, part {i}.\n\n## Tides\n\n- high\n- low\n",
        )
        for i in range(12)
    ]
    lead = articles[0]
    factories.make_comment(lead, reader, body="First thoughts on the pier.")
    pending = factories.make_comment(
        lead, other, body="Waiting for a moderator.", status=CommentStatus.PENDING
    )
    db.session.commit()
    return Site(admin, writer, reader, other, lead, pending)


def public_urls() -> list[str]:
    """Every public URL of the site as the database now stands."""
    urls = ["/", "/?page=2", "/feed.xml", "/sitemap.xml", "/robots.txt", "/search?q=harbour"]
    urls += ["/search?q=lighthouse", "/search?q=renamed"]
    for slug in db.session.scalars(sa.select(Category.slug)):
        urls += [f"/category/{slug}", f"/category/{slug}/feed.xml"]
    urls += [f"/tag/{slug}" for slug in db.session.scalars(sa.select(Tag.slug))]
    urls += [f"/author/{name}" for name in db.session.scalars(sa.select(User.username))]
    urls += [f"/article/{slug}" for slug in db.session.scalars(sa.select(Article.slug))]
    urls += [f"/pages/{slug}" for slug in db.session.scalars(sa.select(Page.slug))]
    urls += ["/corrections"]
    urls += [f"/contributors/{s}" for s in db.session.scalars(sa.select(GuestAuthor.slug))]
    return urls


def snapshot(client, urls: list[str]) -> dict[str, tuple[int, str]]:
    pages = {}
    for url in urls:
        response = client.get(url)
        pages[url] = (response.status_code, mask_tokens(response.get_data(as_text=True)))
    return pages


def assert_coherent(app, reference, step: str, urls: list[str]) -> None:
    # The cached app first: what it stored at the previous step is what it would serve.
    cached = snapshot(app.test_client(), urls)
    fresh = snapshot(reference.test_client(), urls)
    stale = [url for url in urls if cached[url] != fresh[url]]
    assert not stale, f"after {step!r}, the cached site differs on {stale}"


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


# ------------------------------------------------------------- each row of the table alone
#
# The script above writes as the site does, so most of its writes change several rows
# of EXPIRES at once (a title with its body, a comment with the article's count). Here
# each row that expires something is written alone, straight through the ORM or a
# statement (the session events see both), on a row a reader can see; after each write
# the two sites are compared. bench/expires_mutation.py narrows one row at a time to
# NONE and reruns this file to show that each row is needed.


# Every table a reader can see something of; the rest (sessions, the queue, the audit
# log...) is NONE throughout, which test_the_swept_tables_are_every_visible_one checks.
SWEPT = (
    "user",
    "category",
    "tag",
    "article_tag",
    "upload",
    "article",
    "comment",
    "page",
    "setting",
    # issue 26: guest contributors, bylines, correction notes
    "guest_author",
    "article_byline",
    "article_correction",
)


def every_row_written_alone() -> list[str]:
    """An insert, a delete and each column of every swept table, NONE entries included:
    a column classified NONE that a page shows fails here too. Primary keys are never
    updated (article_tag's two columns are its key and are updated all the same)."""
    rows = []
    for name in SWEPT:
        rows += [f"{name}.<insert>", f"{name}.<delete>"]
        rows += [
            f"{name}.{column.name}"
            for column in db.metadata.tables[name].columns
            if name == "article_tag" or not column.primary_key
        ]
    return rows


def test_the_swept_tables_are_every_visible_one():
    from blog.core.cache.invalidation import EXPIRES, NONE

    visible = {
        table
        for table, rule in EXPIRES.items()
        if max(rule.insert, rule.delete, *rule.update.values()) != NONE
    }
    assert visible == set(SWEPT)


@dataclass
class Targets:
    """Visible rows to write: each has a public page that shows it."""

    site: Site
    spare_author: User  # an author with no articles yet: a page of their own, by role
    empty_section: Category
    unused_tag: Tag
    lone_article: Article  # no tags and no comments: its delete cascades nowhere
    page: Page
    spare_page: Page  # deleted by page.<delete>; `page` takes the column writes
    image: Upload
    other_image: Upload
    guest: GuestAuthor  # credited first on the lead story
    other_guest: GuestAuthor  # credited on "Harbour story 3"
    spare_guest: GuestAuthor  # credited nowhere: deleted by guest_author.<delete>
    note: ArticleCorrection  # a correction on the lead story
    spare_note: ArticleCorrection  # deleted by article_correction.<delete>

    def row(self, table: str):
        lead = self.site.lead
        return {
            "user": self.site.writer,
            "category": lead.category,
            "tag": next(t for t in lead.tags if t.slug == "harbour"),
            "article": lead,
            "comment": db.session.scalar(
                sa.select(Comment)
                .where(Comment.article_id == lead.id, Comment.status == CommentStatus.APPROVED)
                .order_by(Comment.id)
            ),
            "page": self.page,
            "upload": self.image,
            "guest_author": self.guest,
            "article_byline": self.byline(lead.id, user=True),
            "article_correction": self.note,
        }[table]

    def byline(self, article_id: int, user: bool) -> ArticleByline:
        kind = ArticleByline.user_id if user else ArticleByline.guest_id
        return db.session.scalar(
            sa.select(ArticleByline).where(
                ArticleByline.article_id == article_id, kind.is_not(None)
            )
        )


@pytest.fixture
def targets(app, site) -> Targets:
    from blog.core.settings import save_settings
    from blog.models import Setting

    image, other = (
        Upload(
            filename=name,
            thumb_filename=f"thumb-{name}",
            content_type="image/jpeg",
            width=1600,
            height=900,
            variant_widths="480,960,1600",
        )
        for name in ("pier.jpg", "quay.jpg")
    )
    db.session.add_all([image, other])
    db.session.flush()
    site.lead.image_id = image.id
    site.lead.image_alt = "The pier"
    factories.make_comment(site.lead, site.reader, body="A second thought.")
    guest = factories.make_comment(site.lead, site.reader, body="From the old site.")
    guest.author_id, guest.guest_name = None, "Harbourmaster"  # imported from WordPress
    spare = factories.make_user(Role.AUTHOR, username="cora", display_name="Cora Columnist")
    lone = factories.make_article("A lone notice", author=site.writer, tags=[])
    page = factories.make_page("Masthead", in_footer=True, position=2)
    spare_page = factories.make_page("Corrections", in_footer=True, position=3)
    section = factories.make_category("Empty section")
    tag = factories.make_tag("unused")
    save_settings({"site_name": "The Harbour Times", "tagline": "News from the quay"})
    guests = [
        GuestAuthor(name=name, slug=slug, bio="A guest.", fediverse=f"@{slug}@social.example")
        for name, slug in (("Ines Guest", "ines"), ("Olaf Guest", "olaf"), ("Sam Spare", "sam"))
    ]
    db.session.add_all(guests)
    db.session.flush()
    story3 = db.session.scalar(sa.select(Article).where(Article.title == "Harbour story 3"))
    set_bylines(site.lead, [guests[0], site.writer])
    set_bylines(story3, [guests[1]])
    note, spare_note = (
        ArticleCorrection(article_id=site.lead.id, kind="correction", text=text)
        for text in ("The pier is 40 m long.", "A second fix.")
    )
    db.session.add_all([note, spare_note])
    db.session.commit()
    assert db.session.get(Setting, "tagline") is not None
    return Targets(site, spare, section, tag, lone, page, spare_page, image, other, *guests,
                   note, spare_note)  # fmt: skip


def changed_value(obj: object, column: sa.Column):
    """A different, valid value for one column of a row."""
    from blog.models import ArticleStatus

    value = getattr(obj, sa.inspect(obj).mapper.get_property_by_column(column).key)
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column
        if column.table.name == "comment" and column.name == "parent_id":
            # Nest the comment under another top-level comment of the same article.
            return db.session.scalar(
                sa.select(Comment.id).where(
                    Comment.article_id == obj.article_id, Comment.id != obj.id
                )
            )
        return db.session.scalar(
            sa.select(target).where(target != value).order_by(target.desc()).limit(1)
        )
    if column.name == "status":
        return ArticleStatus.DRAFT if isinstance(obj, Article) else CommentStatus.PENDING
    if column.name == "role":  # a writer becomes a reader: their author page goes
        return Role.READER if value >= Role.AUTHOR else Role.AUTHOR
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return f"{value}-changed"
    if value is None and isinstance(column.type, sa.String | sa.Text):
        return "changed"  # a nullable text column (guest_name): give it one
    if value is None:  # a datetime not set yet (edited_at)
        return utcnow()
    return value - timedelta(hours=1)  # a datetime


def write_alone(row: str, t: Targets, prime: Callable[[], None]) -> Callable[[], None]:
    """Write exactly `row` of EXPIRES (an insert, a delete or one column) and commit.

    Returns the write that puts things back, so that the next row is written on a site
    where every target is visible again (a draft's summary shows nowhere)."""
    table, _, what = row.partition(".")
    if table == "article_tag":
        return write_link_alone(what, t)
    if table == "setting":
        return write_setting_alone(what, prime)
    if what == "<insert>":
        db.session.add(new_row(table, t))
        db.session.commit()
        return lambda: None
    if what == "<delete>":
        db.session.delete(
            {
                # The reader inserted just before: `spare_author` takes the role change.
                "user": db.session.scalar(sa.select(User).where(User.username == "newcomer")),
                "category": t.empty_section,
                "tag": t.unused_tag,
                "article": t.lone_article,
                "page": t.spare_page,
                "upload": t.other_image,
                "comment": t.row("comment"),
                "guest_author": t.spare_guest,
                "article_byline": t.byline(
                    db.session.scalar(
                        sa.select(Article.id).where(Article.title == "Harbour story 3")
                    ),
                    user=False,
                ),
                "article_correction": t.spare_note,
            }[table]
        )
        db.session.commit()
        return lambda: None
    if row == "article.comment_count":  # counted in SQL, as the comment views do
        db.session.execute(Article.comment_count_change(t.site.lead.id, +1))
        db.session.commit()
        return lambda: (
            db.session.execute(Article.comment_count_change(t.site.lead.id, -1)),
            db.session.commit(),
        )
    obj = {
        # A role shows where it decides whether an author page exists (no articles yet).
        "user.role": t.spare_author,
        # The old static image path shows only on an article without an uploaded image.
        # A guest's name shows only on a comment without an account.
        "comment.guest_name": db.session.scalar(
            sa.select(Comment).where(Comment.guest_name == "Harbourmaster")
        ),
        "article.image_path": db.session.scalar(
            sa.select(Article).where(Article.title == "Harbour story 1")
        ),
        # A byline names a guest or an account, never both (a check constraint).
        "article_byline.guest_id": t.byline(t.site.lead.id, user=False),
    }.get(row) or t.row(table)
    column = sa.inspect(obj).mapper.local_table.c[what]
    key = sa.inspect(obj).mapper.get_property_by_column(column).key
    old = getattr(obj, key)
    set_column(obj, column, changed_value(obj, column))
    return lambda: set_column(obj, column, old)


def set_column(obj: object, column: sa.Column, value: object) -> None:
    """UPDATE one column of `obj`'s row and nothing else, and commit.

    A statement that keeps the columns the table fills in itself (`updated_at`,
    `onupdate=utcnow`) as they are, the way a recount or a re-render writes: through
    the ORM those would change too and expire content whatever `column` is."""
    mapper = sa.inspect(obj).mapper
    table = mapper.local_table
    keep = {c.name: c for c in table.columns if c.onupdate is not None and c is not column}
    where = sa.and_(
        *(c == getattr(obj, mapper.get_property_by_column(c).key) for c in table.primary_key)
    )
    db.session.execute(sa.update(table).where(where).values({column.name: value, **keep}))
    db.session.commit()
    db.session.expire(obj)


def write_link_alone(what: str, t: Targets) -> Callable[[], None]:
    """One row of article_tag: "Harbour story 1" is tagged harbour only."""
    from blog.models import article_tag

    story = db.session.scalar(sa.select(Article).where(Article.title == "Harbour story 1"))
    harbour, ferry = (
        db.session.scalar(sa.select(Tag).where(Tag.slug == s)) for s in ("harbour", "ferry")
    )
    c = article_tag.c
    link = (c.article_id == story.id) & (c.tag_id == harbour.id)
    forward, back = {
        "<insert>": (
            sa.insert(article_tag).values(article_id=story.id, tag_id=ferry.id),
            sa.delete(article_tag).where((c.article_id == story.id) & (c.tag_id == ferry.id)),
        ),
        "<delete>": (
            sa.delete(article_tag).where(link),
            sa.insert(article_tag).values(article_id=story.id, tag_id=harbour.id),
        ),
        "tag_id": (
            sa.update(article_tag).where(link).values(tag_id=ferry.id),
            sa.update(article_tag)
            .where((c.article_id == story.id) & (c.tag_id == ferry.id))
            .values(tag_id=harbour.id),
        ),
        "article_id": (
            sa.update(article_tag).where(link).values(article_id=t.lone_article.id),
            sa.update(article_tag)
            .where((c.article_id == t.lone_article.id) & (c.tag_id == harbour.id))
            .values(article_id=story.id),
        ),
    }[what]
    links = sa.select(c.article_id, c.tag_id).where(c.article_id.in_([story.id, t.lone_article.id]))
    before = set(db.session.execute(links))
    db.session.execute(forward)
    db.session.commit()
    assert set(db.session.execute(links)) != before  # (PostgreSQL reports no rowcount here)

    def undo() -> None:
        db.session.execute(back)
        db.session.commit()

    return undo


def write_setting_alone(what: str, prime: Callable[[], None]) -> Callable[[], None]:
    from blog.models import Setting

    if what == "<insert>":
        db.session.delete(db.session.get(Setting, "tagline"))
        db.session.commit()  # another row's write: store pages without the row, then insert
        prime()
        db.session.add(Setting(key="tagline", value='"A tagline again"'))
    elif what == "<delete>":
        db.session.delete(db.session.get(Setting, "site_name"))
        db.session.commit()
        return lambda: (
            db.session.add(Setting(key="site_name", value='"The Harbour Times"')),
            db.session.commit(),
        )
    else:
        db.session.get(Setting, "tagline").value = '"A new tagline"'
    db.session.commit()
    return lambda: None


def new_row(table: str, t: Targets):
    lead = t.site.lead
    if table == "user":
        return User(username="newcomer", email="newcomer@example.com", password_hash="x")
    if table == "upload":
        return Upload(filename="new.jpg", content_type="image/jpeg", width=40, height=30)
    if table == "category":
        return Category(name="Harbour Extra", slug="harbour-extra", position=99)
    if table == "tag":
        return Tag(name="brand new", slug="brand-new")
    if table == "article":
        return Article(
            title="Fresh from the quay",
            slug="fresh-from-the-quay",
            summary="New.",
            body_source="New.",
            body_html="<p>New.</p>",
            status="published",
            published_at=utcnow() - timedelta(minutes=5),
            author_id=t.site.writer.id,
            category_id=lead.category_id,
        )
    if table == "comment":
        return Comment(
            article_id=lead.id,
            author_id=t.site.other_reader.id,
            body_source="Inserted alone.",
            body_html="<p>Inserted alone.</p>",
            status=CommentStatus.APPROVED,
        )
    if table == "page":
        return Page(title="Ethics", slug="ethics", body_source="E.", body_html="<p>E.</p>")
    if table == "guest_author":
        return GuestAuthor(name="Nina New", slug="nina")
    if table == "article_byline":
        return ArticleByline(article_id=lead.id, position=7, user_id=t.spare_author.id)
    if table == "article_correction":
        return ArticleCorrection(article_id=lead.id, kind="update", text="Inserted alone.")
    raise AssertionError(f"no insert written for {table}: add one to new_row()")


def sweep_urls(t: Targets) -> list[str]:
    """The public URLs that show the rows the sweep writes (every page shows the
    navigation and the footer pages): the front page and page 2, the feed, sitemap and
    a search, every tag, author and page, the sections and articles written to."""
    fixed = {"/", "/?page=2", "/feed.xml", "/sitemap.xml", "/search?q=harbour", "/corrections"}
    sections = {t.site.lead.category.slug, "empty-section", "harbour-extra"}
    articles = ("harbour-story-0", "harbour-story-1", "a-lone-notice", "fresh-from-the-quay")
    return [
        url
        for url in public_urls()
        if url in fixed
        or url.startswith(("/tag/", "/author/", "/pages/", "/contributors/"))
        or url.removeprefix("/category/").removesuffix("/feed.xml") in sections
        or url.removeprefix("/article/").startswith(articles)
    ]


@pytest.mark.parametrize("app_config", ["simple"], indirect=True)
def test_each_row_of_the_invalidation_table_written_alone(app, reference, site, targets):
    rows = every_row_written_alone()
    urls = sweep_urls(targets)
    assert_coherent(app, reference, "start", urls)  # every page stored once
    for row in rows:
        prime = functools.partial(assert_coherent, app, reference, f"{row}, before", urls)
        undo = write_alone(row, targets, prime)
        urls = sorted(set(urls) | set(sweep_urls(targets)))  # a deleted row's URLs stay in
        assert_coherent(app, reference, row, urls)
        undo()
        # Store every page again, as the site now stands: the next row's write must
        # expire them. (The undo itself is compared after the next row's write.)
        snapshot(app.test_client(), urls)
    assert_coherent(app, reference, "the last row put back", urls)
