"""postgres search

Revision ID: ee1de265b341
Revises: 7b2e99da0d2c
Create Date: 2026-11-28 06:10:00.000000

Full-text search on PostgreSQL (blog/search.py): a stored generated tsvector column
over title (weight A), summary (B) and body (C) with a GIN index, in the text search
configuration `blog_search` (English stemming; accents folded by `unaccent` when the
server lets the site's database user create that extension, plain English otherwise).
SQLite has its FTS5 index from the initial schema, so this does nothing there.
migrations/env.py keeps autogenerate from dropping the column and the index.
"""
from alembic import op
import sqlalchemy as sa
import blog.types


# revision identifiers, used by Alembic.
revision = 'ee1de265b341'
down_revision = '7b2e99da0d2c'
branch_labels = None
depends_on = None

CONFIG = "blog_search"
DOCUMENT = (
    "setweight(to_tsvector('blog_search'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('blog_search'::regconfig, coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('blog_search'::regconfig, coalesce(body_source, '')), 'C')"
)


def _unaccent_available(bind) -> bool:
    """Create the unaccent extension if possible (it is trusted: a database owner may)."""
    if bind.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")):
        return True
    available = bind.scalar(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
    )
    if not available:
        return False
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.english)")
    if _unaccent_available(bind):
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING "
            "FOR hword, hword_part, word WITH unaccent, english_stem"
        )
    op.execute(
        f"ALTER TABLE article ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({DOCUMENT}) STORED"
    )
    op.execute("CREATE INDEX ix_article_search ON article USING gin (search_vector)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_article_search")
    op.execute("ALTER TABLE article DROP COLUMN IF EXISTS search_vector")
    op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")
    # The unaccent extension stays: other things in the database may use it.
