"""site_state.next_publication_at: a scheduled article's time expires the caches

Revision ID: 3f6d2a9c81b7
Revises: 5c0a7e11d2f4
Create Date: 2026-12-02 21:10:00

"""
from alembic import op
import sqlalchemy as sa

from blog.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '3f6d2a9c81b7'
down_revision = '5c0a7e11d2f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('site_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_publication_at', UTCDateTime(), nullable=True))
    # Articles scheduled before this migration: their time is the first boundary.
    op.execute(
        "UPDATE site_state SET next_publication_at = (SELECT min(published_at) FROM article "
        "WHERE status = 'published' AND published_at > CURRENT_TIMESTAMP) WHERE id = 1"
    )


def downgrade():
    with op.batch_alter_table('site_state', schema=None) as batch_op:
        batch_op.drop_column('next_publication_at')
