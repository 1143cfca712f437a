"""Ids never reused on SQLite for every table a URL, signed link or export names

Categories, tags, uploads, article versions, pages, redirects, the audit log, jobs,
subscribers and newsletter issues are rebuilt with AUTOINCREMENT, as 0009 did for
users, articles and comments: a deleted tag's id went to the next tag, so an old
admin link, an export's term id or a subscriber's signed link could name another
row. PostgreSQL identities never reuse ids, so nothing changes there.

Revision ID: 9c3e5a1b7d20
Revises: 5b1f0c7d9e42
Create Date: 2026-12-07 04:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9c3e5a1b7d20'
down_revision = '5b1f0c7d9e42'
branch_labels = None
depends_on = None

# None of these tables has triggers (only article's full-text ones, which 0009 keeps).
TABLES = (
    "category", "tag", "upload", "article_version", "page", "redirect", "audit_log",
    "job", "subscriber", "newsletter_issue",
)


def _rebuild(autoincrement: bool) -> None:
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(autoincrement=True)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(autoincrement=False)
