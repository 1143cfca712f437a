"""One-row reads on a pooled driver connection, outside the ORM session.

Two reads happen on nearly every request: the site's versions (blog/core/cache/versions.py,
page-cache hits included, before Flask is involved) and, for a logged-in reader, the
user row (blog/auth/sessions.py). Through the session each costs a BEGIN, the
statement's compilation and a ROLLBACK, more than the primary-key look-up itself. Here
the SQL runs as the driver's own text on a connection borrowed from the engine's pool,
and `OneRow` compiles a statement once per dialect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa


def read_row(engine: sa.Engine, sql: str, parameters: tuple | dict | None = None) -> Any:
    """The first row of driver SQL `sql` (None if there is none), on a pooled connection.

    On an engine without `pool_pre_ping` (see `unpinged_engine`), a connection the server
    closed (a restart) fails its first statement: it is thrown away and the read tried
    once more on a new one, which is what the ping would have cost, but only then.
    """
    try:
        return _read_row(engine, sql, parameters)
    except engine.dialect.loaded_dbapi.OperationalError:
        if engine.pool._pre_ping:
            raise
        return _read_row(engine, sql, parameters)


def _read_row(engine: sa.Engine, sql: str, parameters: tuple | dict | None) -> Any:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        if parameters:
            cursor.execute(sql, parameters)
        else:
            cursor.execute(sql)
        row = cursor.fetchone()
        cursor.close()
        connection.rollback()  # end the driver's implicit transaction, if any
    except BaseException:
        connection.invalidate()  # never back to the pool in an unknown state
        raise
    finally:
        connection.close()  # back to the pool (a no-op after invalidate)
    return row


def unpinged_engine(engine: sa.Engine) -> sa.Engine:
    """A small second pool on `engine`'s database for the one-row reads every request
    makes (the versions), in autocommit and without `pool_pre_ping`: one round trip per
    read instead of four (ping, BEGIN, SELECT, ROLLBACK), which is most of a page-cache
    hit on PostgreSQL (bench/README.md). `engine` itself when it does not ping (SQLite).
    Connection events are the caller's to install."""
    if not engine.pool._pre_ping:
        return engine
    return sa.create_engine(
        engine.url, pool_pre_ping=False, pool_recycle=1800, pool_size=2, max_overflow=8,
        isolation_level="AUTOCOMMIT",
    )  # fmt: skip


class OneRow:
    """A SELECT of one row by one bound parameter, as column values keyed like the ORM's.

    The values are converted by the columns' types as a query would (a UTC datetime,
    a bool), so they can build a mapped object (see blog/auth/sessions.py).
    """

    def __init__(self, columns: list[sa.Column], where: Callable[[sa.BindParameter], Any]):
        self.columns = columns
        self.statement = sa.select(*columns).where(where(sa.bindparam("value")))
        # per dialect class: (driver SQL, [(key, result processor)], positional?)
        self._compiled: dict[type, tuple[str, list[tuple[str, Any]], bool]] = {}

    def _for(self, dialect: sa.Dialect) -> tuple[str, list[tuple[str, Any]], bool]:
        if type(dialect) not in self._compiled:
            processors = [
                (c.key, c.type.dialect_impl(dialect).result_processor(dialect, None))
                for c in self.columns
            ]
            sql = str(self.statement.compile(dialect=dialect))
            self._compiled[type(dialect)] = (sql, processors, dialect.positional)
        return self._compiled[type(dialect)]

    def read(self, engine: sa.Engine, value: Any) -> dict[str, Any] | None:
        sql, processors, positional = self._for(engine.dialect)
        row = read_row(engine, sql, (value,) if positional else {"value": value})
        if row is None:
            return None
        return {key: (p(v) if p else v) for (key, p), v in zip(processors, row, strict=True)}
