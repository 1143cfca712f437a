"""Invalidation follows from the data: the EXPIRES table, the session events, and time.

Writes here go through the ORM or statements and a commit, like any code; nothing moves
a version by hand. The table is complete (every column of every table classified), and
what each kind of write moves is checked in the database.
"""

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.core.cache.invalidation import COMMENTS, CONTENT, EXPIRES, NONE, delete_scope
from blog.core.settings import save_settings
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, ArticleStatus, Comment, SiteState, ThrottleEvent, User
from tests import factories


def versions() -> tuple[int, int]:
    db.session.expire_all()
    state = db.session.get(SiteState, 1)
    return state.version, state.comments_version


def test_every_column_of_every_table_is_classified():
    written = {(t.name, c.name) for t in db.metadata.tables.values() for c in t.columns}
    classified = {(table, column) for table, rule in EXPIRES.items() for column in rule.update}

    assert written - classified == set(), "add these columns to EXPIRES"
    assert classified - written == set(), "EXPIRES names columns that no longer exist"
    assert set(EXPIRES) == set(db.metadata.tables)


def test_a_delete_expires_what_its_foreign_keys_do_to_other_rows(app):
    # A new user shows nowhere, but deleting one sets comment and article authors to
    # NULL ("deleted user"), which readers see.
    assert EXPIRES["user"].insert == NONE
    assert delete_scope("user") == CONTENT
    # An article's comments go with it: deleting the article expires content anyway.
    assert delete_scope("comment") == COMMENTS
    assert delete_scope("throttle_event") == NONE


def test_an_article_edit_moves_the_content_version(app):
    article = factories.make_article("Tides")
    db.session.commit()
    before = versions()

    article.title = "Tides, revised"
    db.session.commit()

    assert versions() == (before[0] + 1, before[1])


def test_setting_an_attribute_to_its_own_value_moves_nothing(app):
    article = factories.make_article("Tides")
    db.session.commit()
    before = versions()
    # Loaded first, as views do (an unloaded attribute has no old value to compare to,
    # and SQLAlchemy then writes it, so it counts as changed).
    assert article.title == "Tides"

    article.title = "Tides"
    db.session.commit()

    assert versions() == before


def test_a_new_comment_moves_only_the_comments_version(app):
    article = factories.make_article("Tides")
    db.session.commit()
    before = versions()

    factories.make_comment(article)  # also counts it in article.comment_count
    db.session.commit()

    assert versions() == (before[0], before[1] + 1)


def test_a_counter_statement_that_keeps_updated_at_moves_only_comments(app):
    article = factories.make_article("Tides")
    db.session.commit()
    before = versions()

    db.session.execute(Article.comment_count_change(article.id, +1))
    db.session.commit()

    assert versions() == (before[0], before[1] + 1)


@pytest.mark.parametrize(
    ("change", "moves"),
    [
        (lambda u: setattr(u, "display_name", "Wendy W."), "content"),
        (lambda u: setattr(u, "role", 3), "content"),
        (lambda u: setattr(u, "bio", "Writes about tides."), "content"),
        (lambda u: u.end_all_sessions(), "nothing"),
        (lambda u: setattr(u, "password_hash", "x"), "nothing"),
        (lambda u: setattr(u, "email", "w2@example.com"), "nothing"),
    ],
    ids=["display name", "role", "bio", "logout", "password", "email"],
)
def test_user_changes_move_what_readers_can_see(app, change, moves):
    user = factories.make_user(username="wendy")
    db.session.commit()
    before = versions()

    change(user)
    db.session.commit()

    expected = (before[0] + 1, before[1]) if moves == "content" else before
    assert versions() == expected


def test_bulk_statements_are_read_too(app):
    article = factories.make_article("Tides")
    db.session.commit()
    before = versions()

    db.session.execute(sa.update(Article).where(Article.id == article.id).values(summary="New"))
    db.session.commit()
    assert versions()[0] == before[0] + 1

    db.session.execute(sa.delete(Comment).where(Comment.article_id == article.id))
    db.session.commit()
    assert versions()[1] == before[1] + 1


def test_throttle_rows_and_rolled_back_writes_move_nothing(app):
    article = factories.make_article("Tides")
    db.session.commit()
    before = versions()

    db.session.add(ThrottleEvent(kind="login", key="ip:127.0.0.1"))
    db.session.commit()
    assert versions() == before

    article.title = "Never saved"
    db.session.flush()
    db.session.rollback()
    db.session.add(ThrottleEvent(kind="login", key="ip:127.0.0.1"))
    db.session.commit()
    assert versions() == before


def test_a_settings_upsert_moves_the_content_version(app):
    before = versions()

    save_settings({"tagline": "Tides and times"})
    db.session.commit()

    assert versions()[0] == before[0] + 1


def test_the_next_publication_time_is_kept_with_every_content_change(app):
    soon = utcnow() + timedelta(hours=3)
    later = utcnow() + timedelta(days=1)
    factories.make_article("Later", published_at=later)
    first = factories.make_article("Soon", published_at=soon)
    factories.make_article("A draft", status=ArticleStatus.DRAFT, published_at=soon)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(SiteState, 1).next_publication_at == soon

    db.session.delete(first)
    db.session.commit()
    db.session.expire_all()

    assert db.session.get(SiteState, 1).next_publication_at == later


@pytest.fixture
def app_config():
    return {"PAGE_CACHE": True, "PUBLIC_CACHE_SECONDS": 600}


def test_a_scheduled_article_is_on_the_cached_home_page_within_a_second(app, client):
    factories.make_article("Already out")
    scheduled = factories.make_article("The six o'clock story")
    scheduled.published_at = utcnow() + timedelta(seconds=1.5)
    db.session.commit()
    first = client.get("/")
    assert first.headers["X-Cache"] == "MISS"
    assert "The six o&#39;clock story" not in first.get_data(as_text=True)
    assert client.get("/").headers["X-Cache"] == "HIT"
    # A proxy may keep the page only until the story is due, not for PUBLIC_CACHE_SECONDS.
    assert first.headers["Cache-Control"] in (
        "public, max-age=1, s-maxage=1",
        "public, max-age=0, s-maxage=0",
    )

    while utcnow() < scheduled.published_at:
        time.sleep(0.05)
    time.sleep(0.05)
    due = client.get("/")

    assert due.headers["X-Cache"] == "MISS"
    assert "The six o&#39;clock story" in due.get_data(as_text=True)
    # Nothing else scheduled: browsers keep it PUBLIC_CACHE_SECONDS, the edge 1 s.
    assert due.headers["Cache-Control"] == "public, max-age=600, s-maxage=1"
    for url in ("/feed.xml", "/sitemap.xml", f"/author/{scheduled.author.username}"):
        assert scheduled.slug in client.get(url).get_data(as_text=True), url
    assert client.get("/search?q=clock").status_code == 200
    assert "six o" in client.get("/search?q=clock").get_data(as_text=True)


def test_only_one_request_moves_a_passed_boundary(app, client):
    when = utcnow() + timedelta(seconds=1.5)
    factories.make_article("Soon", published_at=when)
    db.session.commit()
    before = versions()[0]
    assert db.session.get(SiteState, 1).next_publication_at == when  # still ahead
    time.sleep((when - utcnow()).total_seconds() + 0.1)

    for _ in range(3):
        client.get("/")

    assert versions()[0] == before + 1
    assert db.session.get(SiteState, 1).next_publication_at is None


def test_a_user_renamed_in_the_admin_shows_on_cached_pages(app, client, admin):
    from tests.conftest import logged_in_client

    writer = factories.make_user(username="wendy", display_name="Wendy", role=2)
    article = factories.make_article("Tides", author=writer)
    db.session.commit()
    assert "Wendy" in client.get(f"/article/{article.slug}").get_data(as_text=True)
    assert client.get(f"/article/{article.slug}").headers["X-Cache"] == "HIT"

    staff = logged_in_client(app, admin)
    response = staff.post(f"/admin/users/{writer.id}/role", data={"role": "1"})
    assert response.status_code in (302, 303)
    db.session.execute(sa.update(User).where(User.id == writer.id).values(display_name="W. Tide"))
    db.session.commit()

    page = client.get(f"/article/{article.slug}")
    assert page.headers["X-Cache"] == "MISS"
    assert "W. Tide" in page.get_data(as_text=True)


def test_the_sqlalchemy_internals_statement_scope_reads_are_there(app):
    """statement_scope reads what an UPDATE and an upsert set from SQLAlchemy internals
    (blog/core/cache/invalidation.py, "Two internals"): an upgrade that moves them must
    fail here, by name, not quietly expire too little."""
    from blog.core.upsert import insert
    from blog.models import Setting

    update = sa.update(Article).where(Article.id == 1).values(comment_count=2)
    assert [column.name for column in update._values] == ["comment_count"]
    upsert = insert(Setting).values(key="k", value="1")
    upsert = upsert.on_conflict_do_update(index_elements=["key"], set_={"value": "2"})
    assert upsert._post_values_clause is not None
    assert "value" in dict(upsert._post_values_clause.update_values_to_set)
    assert sa.insert(Setting)._post_values_clause is None
    nothing = insert(Setting).values(key="k", value="1").on_conflict_do_nothing()
    assert not hasattr(nothing._post_values_clause, "update_values_to_set")


def test_an_upsert_expires_what_its_updated_columns_do(app):
    """ON CONFLICT DO UPDATE SET count = count + 1 on a counter table expires nothing; the
    same upsert of a visible column expires content (set_ given as a dict, SQLAlchemy 2.1)."""
    from blog.core.cache.invalidation import statement_scope
    from blog.core.upsert import insert
    from blog.models import DonationClick, Setting

    click = insert(DonationClick).values(day=utcnow().date(), choice="x", article_id=0, count=1)
    click = click.on_conflict_do_update(
        index_elements=["day", "choice", "article_id"],
        set_={"count": DonationClick.__table__.c.count + 1},
    )
    setting = insert(Setting).values(key="k", value="1")
    setting = setting.on_conflict_do_update(index_elements=["key"], set_={"value": "2"})

    assert statement_scope(click) == NONE
    assert statement_scope(setting) == CONTENT
