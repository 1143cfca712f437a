"""Online backups and checked restores of the SQLite database and the uploads.

`backup` copies the live database with SQLite's backup API, which gives a consistent
snapshot while other processes keep writing (a plain file copy of a WAL database can
be torn). The copy and instance/uploads/ go into one timestamped .tar.gz archive with
a small manifest. `restore` checks an archive (manifest, `PRAGMA integrity_check`,
an alembic version) before it replaces anything, and keeps the replaced database
beside it.

PostgreSQL sites back up with `pg_dump` instead (docs/postgresql.md, "Backups").
"""

import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

MANIFEST = "manifest.json"
DB_NAME = "blog.sqlite3"


class BackupError(RuntimeError):
    pass


def sqlite_path(database_uri: str) -> Path:
    """The file behind a sqlite:/// URI; BackupError for other engines."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError("backup and restore work on SQLite files; use pg_dump for PostgreSQL")
    return Path(url.database)


def integrity_ok(path: Path) -> bool:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def copy_database(source: Path, target: Path) -> None:
    """A consistent online copy through the backup API (waits politely for writers)."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=1024)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()


def backup(database_uri: str, instance_path: str, out_dir: str | Path) -> Path:
    """Write `backup-<UTC timestamp>.tar.gz` into out_dir and return its path."""
    db_file = sqlite_path(database_uri)
    if not db_file.exists():
        raise BackupError(f"no database at {db_file}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    archive = out / f"backup-{stamp}.tar.gz"
    uploads = Path(instance_path) / "uploads"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / DB_NAME
        copy_database(db_file, copy)
        if not integrity_ok(copy):
            raise BackupError("the copy failed its integrity check; nothing written")
        manifest = {"created_at": stamp, "database": DB_NAME, "format": 1}
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(copy, arcname=DB_NAME)
            if uploads.is_dir():
                tar.add(uploads, arcname="uploads")
            data = json.dumps(manifest).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return archive


def restore(archive: str | Path, database_uri: str, instance_path: str) -> Path:
    """Check `archive`, then put its database and uploads in place.

    The current database (if any) is kept as `<name>.before-restore-<stamp>`; returns
    that path or the database path. Stop the app servers first.
    """
    db_file = sqlite_path(database_uri)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        if MANIFEST not in names or DB_NAME not in names:
            raise BackupError("not a backup archive made by `blog backup`")
        tar.extractall(tmp, filter="data")
        restored = Path(tmp) / DB_NAME
        if not integrity_ok(restored):
            raise BackupError("the archived database fails its integrity check")
        con = sqlite3.connect(restored)
        try:
            con.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error as error:
            raise BackupError("the archived database has no schema version") from error
        finally:
            con.close()
        _move_versions_past(restored, db_file)
        kept = db_file
        if db_file.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = db_file.with_name(f"{db_file.name}.before-restore-{stamp}")
            copy_database(db_file, kept)
        for suffix in ("-wal", "-shm"):
            Path(str(db_file) + suffix).unlink(missing_ok=True)
        db_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(restored, db_file)
        uploads_src = Path(tmp) / "uploads"
        if uploads_src.is_dir():
            shutil.copytree(uploads_src, Path(instance_path) / "uploads", dirs_exist_ok=True)
    return kept


def _move_versions_past(restored: Path, current: Path) -> None:
    """Give the restored database versions no cache has seen (blog/core/cache/versions.py).

    The archive's versions are older than the live ones: without this, a cache that
    survives the restore (files, Redis) would hold pages for the version numbers the
    restored site is about to reach again, built from other content.
    """
    seen = (0, 0)
    if current.exists():
        con = sqlite3.connect(current)
        try:
            seen = (
                con.execute(
                    "SELECT version, comments_version FROM site_state WHERE id = 1"
                ).fetchone()
                or seen
            )
        except sqlite3.Error:
            pass  # not a site database: nothing cached from it
        finally:
            con.close()
    con = sqlite3.connect(restored)
    try:
        with con:
            con.execute(
                "UPDATE site_state SET version = max(version, ?) + 1, "
                "comments_version = max(comments_version, ?) + 1 WHERE id = 1",
                seen,
            )
    finally:
        con.close()
