"""INSERT .. ON CONFLICT on SQLite and PostgreSQL alike, for rows requests may race to create."""

from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from blog.extensions import db

Row = TypeVar("Row")


def insert(model: type) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into `model` for the session's engine.

    Both dialects' statements take the same `.on_conflict_do_nothing()` and
    `.on_conflict_do_update(index_elements=..., set_=...)`, so callers need not know
    which engine runs them.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def get_or_create(model: type[Row], lookup: sa.Select[tuple[Row]], **values: Any) -> Row:
    """The row `lookup` finds; when there is none, insert `values` and look again.

    Two requests may create the same row at once (PostgreSQL runs writers side by side;
    see `blog.core.database`). The loser's INSERT then does nothing instead of failing on the
    unique constraint, after waiting for the winner's transaction to end, and the second
    look-up, a new statement under READ COMMITTED, finds the winner's row. An INSERT in a
    SAVEPOINT with a retry on IntegrityError would do the same, but takes a failed
    statement, a rollback and expunged session objects on the way.

    `lookup` must find every row the unique constraints on `values` can clash with;
    raises LookupError if the second look-up still finds nothing.
    """
    row = db.session.scalar(lookup)
    if row is None:
        db.session.execute(insert(model).values(**values).on_conflict_do_nothing())
        row = db.session.scalar(lookup)
        if row is None:
            raise LookupError(f"no {model.__name__} row matches {values!r}, nor could one be added")
    return row
