"""user.fediverse: staff writers' fediverse handles, like guest contributors'

Revision ID: 62f1c56f056c
Revises: b0a1b522d28e
Create Date: 2026-12-07 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '62f1c56f056c'
down_revision = 'b0a1b522d28e'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN: SQLite keeps the table as it is (no copy).
    op.add_column('user', sa.Column('fediverse', sa.String(length=120), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('user', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('fediverse')
