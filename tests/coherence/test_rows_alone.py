"""Each row of the invalidation table written alone, cached site against uncached.

tests/coherence/test_cache_coherence.py writes as the site does, so most of its writes change
several rows of EXPIRES at once (a title with its body, a comment with the article's
count). Here each row that expires something is written alone, straight through the ORM
or a statement (the session events see both), on a row a reader can see; after each
write the two sites (tests/coherence/conftest.py) are compared. bench/expires_mutation.py narrows
one row at a time to NONE and reruns this file to show that each row is needed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import (
    Article,
    ArticleByline,
    ArticleCorrection,
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
from tests.coherence.sites import Site, assert_coherent, public_urls, snapshot

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
