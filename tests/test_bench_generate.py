"""The benchmark's data generator builds a consistent database (the bench itself is not run)."""

import importlib.util
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from blog import create_app
from blog.extensions import db
from blog.models import Article, ArticleStatus, Comment, CommentStatus, Role, SiteState, User

ROOT = Path(__file__).resolve().parent.parent
# The generator writes a SQLite file directly (sqlite3, FTS5 triggers).
pytestmark = pytest.mark.sqlite_only


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    mp = pytest.MonkeyPatch()
    mp.setenv("BLOG_INSTANCE_PATH", str(folder / "instance"))
    try:
        path = folder / "bench.sqlite3"
        stats = load_generator().generate(50, 100, path, seed=7)
        yield path, stats
    finally:
        mp.undo()


@pytest.fixture
def bench_app(generated, monkeypatch, tmp_path):
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "instance"))
    path, _ = generated
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_counts_and_stats(generated):
    path, stats = generated
    assert stats["articles"] == 50
    assert stats["comments"] == 100
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM article").fetchone()[0] == 50
        assert con.execute("SELECT count(*) FROM comment").fetchone()[0] == 100
        assert con.execute("SELECT count(*) FROM category").fetchone()[0] == 12
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        triggers = {
            row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
        assert triggers == {"article_fts_ai", "article_fts_ad", "article_fts_au"}
        con.execute("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")
    finally:
        con.close()


def test_articles_are_public_and_consistent(bench_app):
    articles = db.session.scalars(sa.select(Article)).all()
    assert all(a.status == ArticleStatus.PUBLISHED and a.is_public for a in articles)
    assert all(2 <= len(a.tags) <= 4 for a in articles)
    assert all(a.body_html.startswith("<p>") and "<h2>" in a.body_html for a in articles)
    assert all(a.summary and a.author and a.author.role == Role.AUTHOR for a in articles)
    assert all(450 <= len(a.body_source.split()) <= 900 for a in articles)
    assert len({a.slug for a in articles}) == 50
    assert len({a.category_id for a in articles}) > 6
    for article in articles:
        approved = db.session.scalar(
            sa.select(sa.func.count(Comment.id)).where(
                Comment.article_id == article.id,
                Comment.status == CommentStatus.APPROVED,
                Comment.deleted.is_(False),
            )
        )
        assert article.comment_count == approved
    years = {a.published_at.year for a in articles}
    assert len(years) >= 3


def test_comments_replies_and_users(bench_app):
    comments = db.session.scalars(sa.select(Comment)).all()
    assert all(c.status == CommentStatus.APPROVED and c.body_html for c in comments)
    assert all(c.created_at >= c.article.published_at for c in comments)
    for comment in comments:
        if comment.parent is not None:
            assert comment.parent.article_id == comment.article_id
            assert comment.parent.parent_id is None
    assert all(c.author is not None and c.author.role == Role.READER for c in comments)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) >= 15


def test_search_index_and_version(bench_app):
    from blog.core.search import search

    article = db.session.scalars(sa.select(Article).order_by(Article.id)).first()
    word = article.title.split()[0]
    hits, total = search(word, 1, 10)
    assert total >= 1
    assert article.id in {h.article.id for h in hits} or total > 10
    assert db.session.scalar(sa.select(SiteState.version)) > 1
