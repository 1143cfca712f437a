"""newsletter_issue.paused_at and pause_reason, comment.idempotency_key: faults survived

Revision ID: e1a028b3db12
Revises: 06f208eac613
Create Date: 2026-12-07 07:00:00

"""
from alembic import op
import sqlalchemy as sa

import blog.types


# revision identifiers, used by Alembic.
revision = 'e1a028b3db12'
down_revision = '06f208eac613'
branch_labels = None
depends_on = None


def upgrade():
    # The table keeps AUTOINCREMENT (ids never reused) if SQLite copies it.
    with op.batch_alter_table('newsletter_issue', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('paused_at', blog.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('pause_reason', sa.String(length=500), server_default='', nullable=False))
    with op.batch_alter_table('comment', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_comment_idempotency_key'), ['idempotency_key'])


def downgrade():
    with op.batch_alter_table('comment', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_comment_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
    with op.batch_alter_table('newsletter_issue', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('pause_reason')
        batch_op.drop_column('paused_at')
