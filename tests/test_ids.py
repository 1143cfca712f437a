"""Ids are never reused, on SQLite and PostgreSQL, in every table a URL, a signed link
or an export names (comments, articles, users, tags, categories, pages, uploads...)."""

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Comment, Page, Subscriber, Tag, User
from tests.factories import make_article, make_comment, make_page, make_tag, make_user


def _deleted_then_new(make, model) -> tuple[int, int]:  # noqa: ANN001
    first = make()
    last = make()
    db.session.commit()
    last_id = last.id
    db.session.delete(last)
    db.session.commit()
    assert db.session.get(model, last_id) is None
    new = make()
    db.session.commit()
    return last_id, new.id, first.id


def test_a_deleted_comments_id_never_goes_to_the_next_comment(app):
    article = make_article()
    gone, new, _ = _deleted_then_new(lambda: make_comment(article), Comment)
    assert new > gone


def test_a_deleted_articles_id_never_goes_to_the_next_article(app):
    gone, new, _ = _deleted_then_new(make_article, Article)
    assert new > gone


def test_a_deleted_users_id_never_goes_to_the_next_user(app):
    gone, new, _ = _deleted_then_new(make_user, User)
    assert new > gone


NAMED_BY_URLS = (
    "category", "tag", "upload", "article_version", "page", "redirect", "audit_log",
    "job", "subscriber", "newsletter_issue", "registration", "media_file",
)  # fmt: skip


def test_a_deleted_tags_id_never_goes_to_the_next_tag(app):
    names = iter(f"Tag {n}" for n in range(10))
    gone, new, _ = _deleted_then_new(lambda: make_tag(next(names)), Tag)
    assert new > gone


def test_a_deleted_pages_id_never_goes_to_the_next_page(app):
    titles = iter(f"Page {n}" for n in range(10))
    gone, new, _ = _deleted_then_new(lambda: make_page(next(titles)), Page)
    assert new > gone


def test_a_deleted_subscribers_id_never_goes_to_the_next_subscriber(app):
    emails = iter(f"s{n}@example.org" for n in range(10))

    def make_subscriber():
        subscriber = Subscriber(email=next(emails))
        db.session.add(subscriber)
        db.session.flush()
        return subscriber

    gone, new, _ = _deleted_then_new(make_subscriber, Subscriber)
    assert new > gone


@pytest.mark.sqlite_only
def test_sqlite_tables_use_autoincrement_and_search_triggers_survive(app):
    sql = dict(db.session.execute(sa.text("SELECT name, sql FROM sqlite_master")).all())
    for table in ("user", "article", "comment", *NAMED_BY_URLS):
        assert "AUTOINCREMENT" in sql[table], table
    assert {"article_fts_ai", "article_fts_ad", "article_fts_au"} <= set(sql)
