"""page.published: pages can be drafts (WordPress pages that were hidden arrive so)

Revision ID: 5b1f0c7d9e42
Revises: 4de8712d03f1
Create Date: 2026-12-07 04:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1f0c7d9e42'
down_revision = '4de8712d03f1'
branch_labels = None
depends_on = None


def upgrade():
    # Every existing page was public: the server default keeps them so.
    with op.batch_alter_table('page') as batch_op:
        batch_op.add_column(
            sa.Column('published', sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('page') as batch_op:
        batch_op.drop_column('published')
