"""upload.variant_widths: resized variants and WebP twins for srcset

Revision ID: 06eeb9f55004
Revises: 75af7a9e3cd5
Create Date: 2026-12-02 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '06eeb9f55004'
down_revision = '75af7a9e3cd5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('upload', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('variant_widths', sa.String(length=60), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('upload', schema=None) as batch_op:
        batch_op.drop_column('variant_widths')
