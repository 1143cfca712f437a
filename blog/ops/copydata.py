"""Copy a whole site's database into another database (SQLite to PostgreSQL, usually).

`copy_data(source_uri, target_uri)` checks the source first (it must exist, be a
site's database and be at this code's migration), runs the migrations on the target,
refuses a target that already holds content, then copies every table of the models in
dependency order (users before the articles that name them, comments before their
replies) in one transaction on the target, keeping every id. Before that transaction
commits, PostgreSQL's id sequences are moved past the copied ids and the row count of
every table is compared with the source, so a copy that does not match leaves nothing
behind; the search index is rebuilt afterwards. The source is only read.

Uploaded files are not in the database: they stay in instance/uploads/.
"""

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import upgrade

from blog import create_app
from blog.core.database import psycopg_url
from blog.core.search import reindex
from blog.extensions import db

BATCH = 1000
# Tables that exist in a database but are not the site's data: the migration
# version, and the FTS5 index with its shadow tables (rebuilt on the target).
SKIPPED = ("alembic_version", "article_fts", "sqlite_")


class CopyError(RuntimeError):
    pass


def copy_data(
    source_uri: str, target_uri: str, echo: Callable[[str], None] = lambda _line: None
) -> dict[str, int]:
    """Copy everything from `source_uri` into `target_uri`; returns rows per table.

    Raises CopyError (and leaves the target without the copied rows) when the
    source is missing, is not a site's database, has tables this code does not know
    or is at another migration than the code, when the target already has content,
    or when the counts differ.
    """
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": target_uri, "SECRET_KEY": secrets.token_urlsafe(48)}
    )
    source = sa.create_engine(_source_url(source_uri), poolclass=sa.pool.NullPool)
    try:
        with app.app_context():
            try:
                with source.connect() as src:
                    _check_source(src, _code_revision(app))
                    echo("Migrating the target database")
                    upgrade()
                    counts = _copy(src, echo)
                echo("Rebuilding the search index")
                reindex()
            finally:
                db.session.remove()
                db.engine.dispose()
    finally:
        source.dispose()
    return counts


def _source_url(uri: str) -> sa.URL:
    """The source's URL, refusing what is not one and SQLite files that do not exist
    (SQLite would create an empty file, and the copy would then fail less clearly)."""
    try:
        url = sa.engine.make_url(psycopg_url(uri))
    except sa.exc.ArgumentError as error:
        raise CopyError(f"--from is not a database URL: {uri!r}") from error
    if url.get_backend_name() == "sqlite":
        path = url.database
        if not path or path == ":memory:" or not Path(path).is_file():
            raise CopyError(f"there is no SQLite database at {path or uri!r}")
    return url


def _code_revision(app: Flask) -> str | None:
    """The migration this code expects: the head of migrations/."""
    config = app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


def _check_source(src: sa.Connection, code_revision: str | None) -> None:
    names = set(sa.inspect(src).get_table_names())
    if "alembic_version" not in names:
        raise CopyError("the source has no alembic_version table: is it a site's database?")
    revision = src.scalar(sa.text("SELECT version_num FROM alembic_version"))
    if revision != code_revision:
        raise CopyError(
            f"the source database is at migration {revision}, this code at "
            f"{code_revision}: run `blog setup` (or `flask db upgrade`) on the source first"
        )
    known = {t.name for t in db.metadata.sorted_tables}
    unknown = {n for n in names if n not in known and not n.startswith(SKIPPED)}
    if unknown:
        raise CopyError(f"the source has tables this code does not know: {sorted(unknown)}")


def _copy(src: sa.Connection, echo: Callable[[str], None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with db.engine.connect() as dst, dst.begin():
        occupied = [
            t.name
            for t in db.metadata.sorted_tables
            if t.name != "site_state" and dst.scalar(sa.select(sa.func.count()).select_from(t))
        ]
        if occupied:
            raise CopyError(
                "the target database already has data in "
                f"{', '.join(occupied)}; copy-data needs an empty database"
            )
        # The initial migration inserts the site_state row; the source's replaces it.
        dst.execute(sa.delete(db.metadata.tables["site_state"]))
        for table in db.metadata.sorted_tables:
            copied = 0
            for rows in _batches(src, table):
                dst.execute(sa.insert(table), rows)
                copied += len(rows)
            counts[table.name] = copied
            echo(f"  {table.name}: {copied} rows")
        if dst.dialect.name == "postgresql":
            _reset_sequences(dst)
        _verify(src, dst, counts)  # raising here rolls the whole copy back
    return counts


def _batches(src: sa.Connection, table: sa.Table) -> Iterator[list[dict]]:
    query = sa.select(table)
    if table.name == "comment":
        # Replies reference their parent: top-level comments first.
        query = query.order_by(table.c.parent_id.is_not(None), table.c.id)
    else:
        query = query.order_by(*table.primary_key.columns)
    result = src.execution_options(yield_per=BATCH).execute(query)
    for partition in result.mappings().partitions():
        yield [dict(row) for row in partition]


def _reset_sequences(dst: sa.Connection) -> None:
    """Move every id sequence past the copied ids, so the next insert gets a new id."""
    quote = dst.dialect.identifier_preparer.quote
    for table in db.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        sequence = dst.scalar(
            sa.text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": quote(table.name)}
        )
        if sequence is None:
            continue
        dst.execute(
            sa.text(
                f"SELECT setval(CAST(:sequence AS regclass), coalesce(max(id), 1), "  # noqa: S608
                f"max(id) IS NOT NULL) FROM {quote(table.name)}"
            ),
            {"sequence": sequence},
        )


def _verify(src: sa.Connection, dst: sa.Connection, counts: dict[str, int]) -> None:
    wrong = []
    for table in db.metadata.sorted_tables:
        count = sa.select(sa.func.count()).select_from(table)
        expected = src.scalar(count)
        got = dst.scalar(count)
        if not (expected == got == counts[table.name]):
            wrong.append(
                f"{table.name}: source {expected}, copied {counts[table.name]}, target {got}"
            )
    if wrong:
        raise CopyError("row counts differ after the copy: " + "; ".join(wrong))
