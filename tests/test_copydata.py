"""`blog copy-data` moves a populated SQLite site into another database, nothing lost.

The target is a fresh PostgreSQL database when BLOG_TEST_DATABASE_URL is set (the
PostgreSQL pass of CI), and another SQLite file otherwise, so the copy logic is
exercised on every run.
"""

import contextlib
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask_migrate import upgrade

from blog import create_app
from blog.cli import copy_data_command
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import (
    ArticleStatus,
    ArticleVersion,
    AuditLog,
    CommentReport,
    CommentStatus,
    Role,
    Setting,
    SlugRedirect,
    ThrottleEvent,
    Upload,
    UsedToken,
    User,
)
from blog.ops.copydata import CopyError, copy_data
from tests import factories
from tests.conftest import TEST_SECRET, create_pg_database, drop_pg_database, on_postgresql, pg_url


@pytest.fixture
def source(tmp_path, monkeypatch) -> str:
    """A migrated SQLite site with some of everything; its URI."""
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "instance"))
    uri = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": TEST_SECRET, "TESTING": True})
    with app.app_context():
        from blog.core.seed import seed_defaults

        upgrade()
        seed_defaults()
        populate()
        db.session.remove()
        db.engine.dispose()
    return uri


def populate() -> None:
    admin = factories.make_user(Role.ADMIN, username="adam", bio="Édition ✓ — «quotes»")
    author = factories.make_user(Role.AUTHOR, username="arthur")
    readers = [factories.make_user(Role.READER, username=f"reader{i}") for i in range(3)]
    factories.make_user(Role.READER, username="gone", active=False, can_comment=False)
    section = factories.make_category("Harbour", description="Docks 🚢")
    tags = [factories.make_tag("Tides"), factories.make_tag("Ferries")]
    upload = Upload(filename="abc123.png", thumb_filename="abc123-t.png", content_type="image/png",
                    width=8, height=8, uploader_id=author.id)  # fmt: skip
    db.session.add(upload)
    db.session.flush()
    lead = factories.make_article(
        "The harbour pier reopens", author=author, category=section, tags=tags,
        body="## Pier\n\nThe **ferry** timetable changes.\n\n- one\n- two\n", image_id=upload.id,
    )  # fmt: skip
    draft = factories.make_article("A draft", author=author, status=ArticleStatus.DRAFT)
    factories.make_article(
        "Scheduled piece", author=author, published_at=utcnow() + timedelta(days=2)
    )
    db.session.add(ArticleVersion(article_id=lead.id, title="Old title", body_source="old",
                                  editor_id=admin.id))  # fmt: skip
    db.session.add(SlugRedirect(old_slug="old-title", article_id=lead.id))
    # A reply whose parent was posted later (an id above its own, as after an import)
    # proves that parents are copied before replies, not merely in id order.
    reply = factories.make_comment(lead, readers[0], "I agree.")
    parent = factories.make_comment(lead, readers[1], "First!")
    reply.parent_id = parent.id
    factories.make_comment(lead, readers[2], "Pending", status=CommentStatus.PENDING)
    factories.make_comment(lead, readers[2], "Spam", status=CommentStatus.SPAM)
    factories.make_comment(draft, admin, "Deleted", deleted=True)
    db.session.add(CommentReport(comment_id=parent.id, reporter_id=readers[2].id, reason="rude"))
    factories.make_page("Masthead", body="Who we are.", in_footer=False, position=5)
    db.session.add(Setting(key="site_name", value=json.dumps("Harbour Daily")))
    db.session.add(ThrottleEvent(kind="login", key="ip:127.0.0.1"))
    db.session.add(AuditLog(actor_id=admin.id, action="user.role", object_type="user",
                            object_id=author.id, detail="reader → author"))  # fmt: skip
    db.session.add(UsedToken(digest="f" * 64))
    db.session.commit()


@contextlib.contextmanager
def empty_target(tmp_path):
    if on_postgresql():
        name = create_pg_database("copy")
        try:
            yield pg_url(name)
        finally:
            drop_pg_database(name)
    else:
        yield f"sqlite:///{tmp_path / 'target.sqlite3'}"


def all_rows(uri: str) -> dict[str, list[tuple]]:
    engine = sa.create_engine(uri, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        sa.select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in db.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def test_copy_keeps_every_row_and_id_and_leaves_a_working_site(source, tmp_path):
    with empty_target(tmp_path) as target:
        counts = copy_data(source, target)

        before, after = all_rows(source), all_rows(target)
        assert set(after) == set(before)
        for table, rows in before.items():
            assert after[table] == rows, table
            assert counts[table] == len(rows)
        assert counts["comment"] == 5 and counts["user"] == 6 and counts["article_tag"] == 2

        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": target, "SECRET_KEY": TEST_SECRET, "TESTING": True}
        )
        with app.app_context():
            from blog.core.search import search

            hits, total = search("ferry", 1, 10)
            assert total == 1 and hits[0].article.slug == "the-harbour-pier-reopens"
            # The id sequences continue after the copied ids.
            highest = max(row[0] for row in before["user"])
            assert factories.make_user(Role.READER, username="newcomer").id == highest + 1
            db.session.commit()
            client = app.test_client()
            assert client.get("/article/the-harbour-pier-reopens").status_code == 200
            assert client.get("/article/old-title").status_code == 301
            db.session.remove()
            db.engine.dispose()


def test_copy_refuses_a_target_that_already_has_content(source, tmp_path):
    with empty_target(tmp_path) as target:
        copy_data(source, target)
        with pytest.raises(CopyError, match="already has data"):
            copy_data(source, target)
        assert len(all_rows(target)["user"]) == 6


def test_copy_refuses_a_source_that_is_not_a_site(tmp_path):
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    engine = sa.create_engine(other)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    engine.dispose()
    with empty_target(tmp_path) as target, pytest.raises(CopyError, match="alembic_version"):
        copy_data(other, target)


def test_copy_data_command_reports_the_counts(source, tmp_path):
    with empty_target(tmp_path) as target:
        result = CliRunner().invoke(copy_data_command, ["--from", source, "--to", target])

        assert result.exit_code == 0, result.output
        assert "Migrating the target database" in result.output
        assert "comment: 5 rows" in result.output
        assert "counts match" in result.output
        engine = sa.create_engine(target, poolclass=sa.pool.NullPool)
        with engine.connect() as connection:
            assert connection.scalar(sa.select(sa.func.count(User.id))) == 6
        engine.dispose()


def test_copy_refuses_a_missing_source_file_without_creating_it(tmp_path):
    missing = tmp_path / "typo.sqlite3"
    with empty_target(tmp_path) as target, pytest.raises(CopyError, match="no SQLite database"):
        copy_data(f"sqlite:///{missing}", target)
    assert not missing.exists()


def test_copy_refuses_a_source_that_is_not_a_url(tmp_path):
    with empty_target(tmp_path) as target, pytest.raises(CopyError, match="not a database URL"):
        copy_data("instance/blog.sqlite3", target)


def test_a_copy_whose_counts_differ_leaves_nothing_behind(source, tmp_path, monkeypatch):
    from blog.ops import copydata

    real = copydata._batches

    def losing_a_comment(src, table):
        for rows in real(src, table):
            yield rows[:-1] if table.name == "comment" else rows

    monkeypatch.setattr(copydata, "_batches", losing_a_comment)
    with empty_target(tmp_path) as target:
        with pytest.raises(CopyError, match="comment: source 5, copied 4, target 4"):
            copy_data(source, target)

        assert all(not rows for name, rows in all_rows(target).items() if name != "site_state")
        monkeypatch.setattr(copydata, "_batches", real)
        assert copy_data(source, target)["comment"] == 5  # a second try is not refused
