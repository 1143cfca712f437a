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
    """The first row of driver SQL `sql` (None if there is none), on a pooled connection."""
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
    finally:
        connection.close()  # back to the pool
    return row


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
