"""The editorial desk: presence, autosaves, notes and assignments of articles

Revision ID: ad38d354e72f
Revises: 5ded21fdb2eb
Create Date: 2026-12-07 07:00:00

"""
from alembic import op
import sqlalchemy as sa

import blog.types


# revision identifiers, used by Alembic.
revision = 'ad38d354e72f'
down_revision = '5ded21fdb2eb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'editor_presence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('since', blog.types.UTCDateTime(), nullable=False),
        sa.Column('seen_at', blog.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_editor_presence_article_id_article'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_editor_presence_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_editor_presence')),
        sa.UniqueConstraint('article_id', 'user_id', name=op.f('uq_editor_presence_article_id')),
    )
    with op.batch_alter_table('editor_presence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_editor_presence_article_id'), ['article_id'], unique=False)
    op.create_table(
        'article_autosave',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('body_source', sa.Text(), nullable=False),
        sa.Column('base_version', sa.String(length=40), nullable=False),
        sa.Column('saved_at', blog.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_autosave_article_id_article'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_article_autosave_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_article_autosave')),
        sa.UniqueConstraint('article_id', 'user_id', name=op.f('uq_article_autosave_article_id')),
    )
    with op.batch_alter_table('article_autosave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_autosave_article_id'), ['article_id'], unique=False)
    op.create_table(
        'article_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', blog.types.UTCDateTime(), nullable=False),
        sa.Column('resolved_at', blog.types.UTCDateTime(), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_note_article_id_article'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_article_note_author_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['parent_id'], ['article_note.id'], name=op.f('fk_article_note_parent_id_article_note'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_article_note_resolved_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_article_note')),
    )
    with op.batch_alter_table('article_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_note_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_note_parent_id'), ['parent_id'], unique=False)
    op.create_table(
        'article_assignment',
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('assignee_id', sa.Integer(), nullable=True),
        sa.Column('due_at', blog.types.UTCDateTime(), nullable=True),
        sa.Column('assigned_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', blog.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_assignment_article_id_article'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['assigned_by_id'], ['user.id'], name=op.f('fk_article_assignment_assigned_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_article_assignment_assignee_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('article_id', name=op.f('pk_article_assignment')),
    )
    with op.batch_alter_table('article_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_assignment_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_assignment_due_at'), ['due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('article_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_assignment_due_at'))
        batch_op.drop_index(batch_op.f('ix_article_assignment_assignee_id'))
    op.drop_table('article_assignment')
    with op.batch_alter_table('article_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_note_parent_id'))
        batch_op.drop_index(batch_op.f('ix_article_note_article_id'))
    op.drop_table('article_note')
    with op.batch_alter_table('article_autosave', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_autosave_article_id'))
    op.drop_table('article_autosave')
    with op.batch_alter_table('editor_presence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_editor_presence_article_id'))
    op.drop_table('editor_presence')
