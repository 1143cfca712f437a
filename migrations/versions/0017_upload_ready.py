"""upload.ready and upload.problem: large images are re-encoded by the worker

Revision ID: 3e8b6d2c9a14
Revises: 7c3e2a9f1b60
Create Date: 2026-12-07 07:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e8b6d2c9a14'
down_revision = '7c3e2a9f1b60'
branch_labels = None
depends_on = None


def upgrade():
    # upload keeps AUTOINCREMENT (0013: ids never reused) if SQLite copies the table.
    with op.batch_alter_table('upload', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('ready', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('problem', sa.String(length=200), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('upload', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('problem')
        batch_op.drop_column('ready')
