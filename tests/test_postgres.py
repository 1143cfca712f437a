"""PostgreSQL specifics: engine options, write transactions, search, backups.

The whole suite runs on PostgreSQL when BLOG_TEST_DATABASE_URL is set; these tests
check what only PostgreSQL does (and are skipped on SQLite), except the URL and
engine option rules, which need no server.
"""

import contextvars
import os
import threading

import pytest
import sqlalchemy as sa

from blog import create_app
from blog.core.cache.versions import current_version
from blog.core.database import begin_write
from blog.core.search import search, tsquery
from blog.core.settings import save_settings
from blog.extensions import db
from blog.models import Article, SiteState, Tag
from tests import factories
from tests.conftest import TEST_SECRET, on_postgresql

needs_postgresql = pytest.mark.skipif(
    not on_postgresql(), reason="needs BLOG_TEST_DATABASE_URL (a PostgreSQL server)"
)


@pytest.mark.parametrize(
    "given",
    ["postgres://u:p@db.example/blog", "postgresql://u:p@db.example/blog"],
)
def test_postgresql_urls_use_psycopg_3_and_a_pinged_pool(monkeypatch, tmp_path, given):
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": given})

    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example/blog"
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    with app.app_context():
        assert db.engine.dialect.driver == "psycopg"


def test_sqlite_engine_options_stay_as_configured(monkeypatch, tmp_path):
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {}


def test_hostile_text_becomes_a_tsquery_of_quoted_lexemes():
    assert tsquery("harbour pi") == "'harbour' & 'pi':*"
    assert tsquery("it's \\ & | ! :* (x)") == "'it' & 's' & 'x':*"
    assert tsquery("&|!()<->") is None


def in_a_request(app, action):
    """Run `action` in a fresh app and request context, as a worker thread would."""

    def run():
        with app.app_context(), app.test_request_context(method="POST"):
            try:
                return action()
            finally:
                db.session.remove()

    return contextvars.Context().run(run)


@needs_postgresql
def test_begin_write_ends_the_read_transaction_and_writes_read_committed(app):
    statements = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    def write():
        db.session.scalar(sa.select(SiteState.version))
        begin_write()
        save_settings({"tagline": "Read committed"})
        level = db.session.scalar(sa.text("SHOW transaction_isolation"))
        db.session.commit()
        return level

    assert in_a_request(app, write) == "read committed"
    assert not any("LOCK" in s.upper() for s in statements)


@needs_postgresql
def test_concurrent_sql_increments_lose_nothing(app):
    before = in_a_request(app, current_version)
    threads, errors = [], []

    def writer():
        def bump():
            for _ in range(25):
                current_version()
                begin_write()
                save_settings({"tagline": "Racing"})
                db.session.commit()

        try:
            in_a_request(app, bump)
        except Exception as error:  # reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert in_a_request(app, current_version) == before + 8 * 25


@needs_postgresql
def test_a_unique_constraint_turns_away_the_second_of_two_racing_inserts(app):
    first_flushed = threading.Event()
    outcomes = {}

    def insert(name: str, first: bool):
        def add():
            if not first:
                first_flushed.wait(timeout=10)
            begin_write()
            db.session.add(Tag(name="Racing", slug="racing"))
            db.session.flush()  # the second one waits here for the first to finish
            if first:
                first_flushed.set()
                threading.Event().wait(0.3)
            db.session.commit()

        try:
            in_a_request(app, add)
            outcomes[name] = "committed"
        except sa.exc.IntegrityError:
            outcomes[name] = "integrity error"

    threads = [
        threading.Thread(target=insert, args=("first", True)),
        threading.Thread(target=insert, args=("second", False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == {"first": "committed", "second": "integrity error"}
    assert db.session.scalar(sa.select(sa.func.count(Tag.id)).where(Tag.slug == "racing")) == 1


@needs_postgresql
def test_search_ranks_title_over_summary_over_body_and_matches_prefixes(app):
    body = factories.make_article("Budget news", summary="Nothing.", body="A lighthouse.")
    summary = factories.make_article("Other news", summary="The lighthouse.", body="Text.")
    title = factories.make_article("Lighthouse keepers", summary="Text.", body="Text.")
    db.session.commit()

    hits, total = search("lighth", 1, 10)

    assert total == 3
    assert [h.article.id for h in hits] == [title.id, summary.id, body.id]
    assert any("<mark>" in h.snippet_html for h in hits)


@needs_postgresql
def test_search_stems_english_words_and_keeps_markup_out_of_snippets(app):
    factories.make_article(
        "Council report", summary="", body="The council reported <b>record</b> floods & more."
    )
    db.session.commit()

    hits, total = search("reports", 1, 10)

    assert total == 1
    snippet = str(hits[0].snippet_html)
    assert "<mark>reported</mark>" in snippet
    # ts_headline drops what its parser reads as tags; the rest is escaped.
    assert "<b>" not in snippet and "&lt;b" not in snippet
    assert "&amp;" in snippet


@needs_postgresql
def test_search_folds_accents_when_unaccent_is_available(app):
    has_unaccent = db.session.scalar(
        sa.text("SELECT count(*) FROM pg_extension WHERE extname = 'unaccent'")
    )
    if not has_unaccent:
        # Debian's PostgreSQL ships it, so CI must not quietly skip this.
        if os.environ.get("CI") == "true":
            pytest.fail("migration 0003 did not enable unaccent on a server that has it")
        pytest.skip("the server has no unaccent extension")
    factories.make_article("Café society in Zürich", body="Crème brûlée.")
    db.session.commit()

    assert search("cafe zurich", 1, 10)[1] == 1
    assert search("creme", 1, 10)[1] == 1


@needs_postgresql
def test_search_column_is_generated_and_indexed(app):
    article = factories.make_article("Tramway returns", summary="", body="Old rails.")
    db.session.commit()
    db.session.execute(sa.update(Article).where(Article.id == article.id).values(title="Ferry"))
    db.session.commit()

    assert search("tramway", 1, 10)[1] == 0
    assert search("ferry", 1, 10)[1] == 1
    index = db.session.scalar(
        sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_article_search'")
    )
    assert "gin (search_vector)" in index


@needs_postgresql
def test_backup_command_points_postgresql_sites_to_pg_dump(runner):
    result = runner.invoke(args=["backup"])

    assert result.exit_code != 0
    assert "pg_dump" in result.output
