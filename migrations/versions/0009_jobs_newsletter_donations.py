"""job queue (and, in this branch, the newsletter and donations tables)

Revision ID: 1e4ba1bf626f
Revises: 06eeb9f55004
Create Date: 2026-12-02 21:30:00

"""
from alembic import op
import sqlalchemy as sa
import blog.types


# revision identifiers, used by Alembic.
revision = '1e4ba1bf626f'
down_revision = '06eeb9f55004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('batch', sa.String(length=60), server_default='', nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('max_attempts', sa.Integer(), server_default='8', nullable=False),
        sa.Column('run_after', blog.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('claimed_by', sa.String(length=120), nullable=True),
        sa.Column('claimed_at', blog.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), server_default='', nullable=False),
        sa.Column('created_at', blog.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', blog.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
        sa.UniqueConstraint('key', name=op.f('uq_job_key')),
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_due', ['state', 'run_after'], unique=False)
        batch_op.create_index('ix_job_batch_state', ['batch', 'state'], unique=False)
    op.create_table(
        'subscriber',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('frequency', sa.String(length=8), nullable=False),
        sa.Column('alerts', sa.Boolean(), nullable=False),
        sa.Column('sections', sa.JSON(), nullable=False),
        sa.Column('source', sa.String(length=12), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('from_article_id', sa.Integer(), nullable=True),
        sa.Column('confirm_sent_at', blog.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('confirmed_at', blog.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', blog.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', blog.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['from_article_id'], ['article.id'],
                                name=op.f('fk_subscriber_from_article_id_article'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_subscriber_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriber')),
        sa.UniqueConstraint('email', name=op.f('uq_subscriber_email')),
    )
    with op.batch_alter_table('subscriber', schema=None) as batch_op:
        batch_op.create_index('ix_subscriber_state', ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscriber_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscriber_from_article_id'), ['from_article_id'],
                              unique=False)
    op.create_table(
        'newsletter_issue',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('period', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('article_ids', sa.JSON(), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('created_at', blog.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_newsletter_issue')),
        sa.UniqueConstraint('period', name=op.f('uq_newsletter_issue_period')),
    )
    with op.batch_alter_table('newsletter_issue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_newsletter_issue_created_at'), ['created_at'],
                              unique=False)
    op.create_table(
        'donation_click',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('choice', sa.String(length=40), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_donation_click')),
        sa.UniqueConstraint('day', 'choice', 'article_id',
                            name=op.f('uq_donation_click_day')),
    )


def downgrade():
    op.drop_table('donation_click')
    op.drop_table('newsletter_issue')
    op.drop_table('subscriber')
    op.drop_table('job')
