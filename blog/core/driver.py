"""One-row reads on a pooled driver connection, outside the ORM session.

The site's versions are read on every request (blog/core/cache/versions.py), page-cache
hits included, before Flask is involved and without an app context. Through the session
that read would cost a BEGIN, the statement's compilation and a ROLLBACK, more than the
primary-key look-up itself; here the SQL runs as the driver's own text on a connection
borrowed from the engine's pool.
"""

from __future__ import annotations

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
