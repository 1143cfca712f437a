"""audience: raw page views, their daily roll-ups and the day's visitor salt

Revision ID: 06f208eac613
Revises: 3e8b6d2c9a14
Create Date: 2026-12-07 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '06f208eac613'
down_revision = '3e8b6d2c9a14'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table(
        'page_view',
        sa.Column('id', BigId, nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('page', sa.String(length=8), nullable=False),
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('visitor', sa.String(length=16), nullable=True),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('referrer', sa.String(length=100), nullable=False),
        sa.Column('utm_source', sa.String(length=60), nullable=False),
        sa.Column('utm_campaign', sa.String(length=60), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_page_view')),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_page_view_day_visitor', 'page_view', ['day', 'visitor'], unique=False)
    op.create_table(
        'view_day',
        sa.Column('id', BigId, nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('page', sa.String(length=8), nullable=False),
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('referrer', sa.String(length=100), nullable=False),
        sa.Column('utm_source', sa.String(length=60), nullable=False),
        sa.Column('utm_campaign', sa.String(length=60), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_view_day')),
        sa.UniqueConstraint(
            'day', 'page', 'page_id', 'source', 'referrer', 'utm_source', 'utm_campaign',
            'country',
            name=op.f('uq_view_day_day'),
        ),
    )
    op.create_index('ix_view_day_page', 'view_day', ['page', 'page_id', 'day'], unique=False)
    op.create_table(
        'page_day',
        sa.Column('id', BigId, nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('page', sa.String(length=8), nullable=False),
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_page_day')),
        sa.UniqueConstraint('day', 'page', 'page_id', name=op.f('uq_page_day_day')),
    )
    op.create_table(
        'source_day',
        sa.Column('id', BigId, nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('referrer', sa.String(length=100), nullable=False),
        sa.Column('utm_source', sa.String(length=60), nullable=False),
        sa.Column('utm_campaign', sa.String(length=60), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_source_day')),
        sa.UniqueConstraint(
            'day', 'source', 'referrer', 'utm_source', 'utm_campaign',
            name=op.f('uq_source_day_day'),
        ),
    )
    op.create_table(
        'audience_day',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.Column('visitors', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_audience_day')),
    )
    op.create_table(
        'visitor_salt',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('salt', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_visitor_salt')),
    )
    op.create_table(
        'rollup_mark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_view_id', BigId, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_mark')),
    )


def downgrade():
    op.drop_table('rollup_mark')
    op.drop_table('visitor_salt')
    op.drop_table('audience_day')
    op.drop_table('source_day')
    op.drop_table('page_day')
    op.drop_index('ix_view_day_page', table_name='view_day')
    op.drop_table('view_day')
    op.drop_index('ix_page_view_day_visitor', table_name='page_view')
    op.drop_table('page_view')
