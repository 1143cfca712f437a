"""Ids never reused on SQLite; confirmed email addresses; report kinds

- SQLite: `user`, `article` and `comment` are rebuilt with AUTOINCREMENT, so the id of
  a deleted row never goes to a new one (PostgreSQL identities never reuse ids, so
  nothing changes there). The rebuild drops the triggers on `article`; the full-text
  triggers of 0001 are created again.
- user.email_confirmed_at: accounts that exist before this migration count as
  confirmed (they were created before the check existed).
- comment_report.kind: spam, abuse, off-topic or other.

Revision ID: 4de8712d03f1
Revises: a8719051f69d
Create Date: 2026-12-02 21:10:00

"""
from alembic import op
import sqlalchemy as sa
import blog.types


# revision identifiers, used by Alembic.
revision = '4de8712d03f1'
down_revision = 'a8719051f69d'
branch_labels = None
depends_on = None

TABLES = ("user", "article", "comment")
FTS_TRIGGERS = [
    "CREATE TRIGGER article_fts_ai AFTER INSERT ON article BEGIN "
    "INSERT INTO article_fts(rowid, title, summary, body_source) "
    "VALUES (new.id, new.title, new.summary, new.body_source); END",
    "CREATE TRIGGER article_fts_ad AFTER DELETE ON article BEGIN "
    "INSERT INTO article_fts(article_fts, rowid, title, summary, body_source) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body_source); END",
    "CREATE TRIGGER article_fts_au AFTER UPDATE OF title, summary, body_source ON article BEGIN "
    "INSERT INTO article_fts(article_fts, rowid, title, summary, body_source) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body_source); "
    "INSERT INTO article_fts(rowid, title, summary, body_source) "
    "VALUES (new.id, new.title, new.summary, new.body_source); END",
]


def _rebuild(autoincrement: bool) -> None:
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass
    for statement in FTS_TRIGGERS:
        op.execute(statement)


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', blog.types.UTCDateTime(), nullable=True))
    op.execute('UPDATE "user" SET email_confirmed_at = created_at')
    with op.batch_alter_table('comment_report', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=20), server_default='other', nullable=False)
        )
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(autoincrement=True)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(autoincrement=False)
    with op.batch_alter_table('comment_report', schema=None) as batch_op:
        batch_op.drop_column('kind')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
