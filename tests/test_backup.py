"""`blog backup` and `blog restore`: consistent archives, checked before restoring."""

import sqlite3
import tarfile

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article
from tests.factories import make_article

# SQLite files and the sqlite3 backup API; PostgreSQL sites use pg_dump (docs/postgres.md).
pytestmark = pytest.mark.sqlite_only


def test_backup_then_restore_brings_back_content_and_uploads(app, runner, tmp_path):
    article = make_article("Kept in the backup")
    db.session.commit()
    uploads = tmp_path / "instance" / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "photo.jpg").write_bytes(b"jpeg bytes")

    result = runner.invoke(args=["backup", "--out", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    archive = next((tmp_path / "backups").glob("backup-*.tar.gz"))
    with tarfile.open(archive) as tar:
        assert {"blog.sqlite3", "manifest.json", "uploads/photo.jpg"} <= set(tar.getnames())

    db.session.delete(db.session.get(Article, article.id))
    db.session.commit()
    (uploads / "photo.jpg").unlink()
    db.session.remove()

    result = runner.invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Article.title)) == "Kept in the backup"
    assert (uploads / "photo.jpg").read_bytes() == b"jpeg bytes"


def test_restore_refuses_an_archive_that_is_not_a_backup(app, runner, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        (tmp_path / "x.txt").write_text("hello")
        tar.add(tmp_path / "x.txt", arcname="x.txt")

    result = runner.invoke(args=["restore", str(bogus), "--yes"])

    assert result.exit_code != 0
    assert "not a backup archive" in result.output


def test_restore_refuses_a_corrupt_database_and_leaves_the_live_one(app, runner, tmp_path):
    make_article("Still here")
    db.session.commit()
    staging = tmp_path / "staging"
    staging.mkdir()
    bad = staging / "blog.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    (staging / "manifest.json").write_text("{}")
    archive = tmp_path / "bad.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(bad, arcname="blog.sqlite3")
        tar.add(staging / "manifest.json", arcname="manifest.json")

    result = runner.invoke(args=["restore", str(archive), "--yes"])

    assert result.exit_code != 0
    live = sqlite3.connect(tmp_path / "blog.sqlite3")
    assert live.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert live.execute("SELECT title FROM article").fetchall() == [("Still here",)]


def test_a_restored_site_gets_versions_no_cache_has_seen(app, runner, tmp_path):
    from blog.models import SiteState

    make_article("Before the backup")
    db.session.commit()
    result = runner.invoke(args=["backup", "--out", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    archive = next((tmp_path / "backups").glob("backup-*.tar.gz"))
    make_article("After the backup")
    db.session.commit()
    live = db.session.execute(sa.select(SiteState.version, SiteState.comments_version)).one()
    db.session.remove()

    result = runner.invoke(args=["restore", str(archive), "--yes"])

    assert result.exit_code == 0, result.output
    restored = db.session.execute(sa.select(SiteState.version, SiteState.comments_version)).one()
    assert restored.version > live.version
    assert restored.comments_version > live.comments_version
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 1
