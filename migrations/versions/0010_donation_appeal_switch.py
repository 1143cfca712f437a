"""article.donation_appeal: the donation appeal at the end of an article can be switched off

Revision ID: a8719051f69d
Revises: 1e4ba1bf626f
Create Date: 2026-12-03 05:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a8719051f69d'
down_revision = '1e4ba1bf626f'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch: on SQLite a batch copies the table and would drop the
# full-text search triggers of article (migrations/versions/0001_initial_schema.py).
def upgrade():
    op.add_column(
        'article',
        sa.Column('donation_appeal', sa.Boolean(), server_default=sa.true(), nullable=False),
    )


def downgrade():
    op.drop_column('article', 'donation_appeal')
