"""site_state.comments_version: comment changes no longer expire every cache

Revision ID: 5c0a7e11d2f4
Revises: 328b7cad7b86
Create Date: 2026-11-28 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c0a7e11d2f4'
down_revision = '328b7cad7b86'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('site_state', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('comments_version', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('site_state', schema=None) as batch_op:
        batch_op.drop_column('comments_version')
