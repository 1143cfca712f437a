"""comment.reply_to_id and guest_url, tag.description: what a WordPress import keeps

Revision ID: 7c3e2a9f1b60
Revises: 8c3f1d2e6a90
Create Date: 2026-12-07 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e2a9f1b60'
down_revision = '8c3f1d2e6a90'
branch_labels = None
depends_on = None


def upgrade():
    # Both tables keep AUTOINCREMENT (0011, 0013: ids never reused) if SQLite copies them.
    with op.batch_alter_table('tag', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('comment', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('guest_url', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('reply_to_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_comment_reply_to_id'), ['reply_to_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_comment_reply_to_id_comment'), 'comment', ['reply_to_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('comment', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comment_reply_to_id_comment'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_comment_reply_to_id'))
        batch_op.drop_column('reply_to_id')
        batch_op.drop_column('guest_url')
    with op.batch_alter_table('tag', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('description')
