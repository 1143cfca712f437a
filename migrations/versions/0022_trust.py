"""guest_author, article_byline, article_correction; article.label, dateline image focal point, republishing (issue 26)

Revision ID: b0a1b522d28e
Revises: ad38d354e72f
Create Date: 2026-12-07 07:00:00

"""
from alembic import op
import sqlalchemy as sa
import blog.types


# revision identifiers, used by Alembic.
revision = 'b0a1b522d28e'
down_revision = 'ad38d354e72f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'guest_author',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('bio', sa.Text(), nullable=False),
        sa.Column('photo_id', sa.Integer(), nullable=True),
        sa.Column('links', sa.Text(), nullable=False),
        sa.Column('fediverse', sa.String(length=120), nullable=False),
        sa.Column('created_at', blog.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['photo_id'], ['upload.id'],
                                name=op.f('fk_guest_author_photo_id_upload'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_guest_author')),
        sa.UniqueConstraint('slug', name=op.f('uq_guest_author_slug')),
        sqlite_autoincrement=True,
    )
    op.create_table(
        'article_byline',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('guest_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('(user_id IS NULL) <> (guest_id IS NULL)',
                           name=op.f('ck_article_byline_one_person')),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'],
                                name=op.f('fk_article_byline_article_id_article'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['guest_id'], ['guest_author.id'],
                                name=op.f('fk_article_byline_guest_id_guest_author'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_article_byline_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_article_byline')),
        sa.UniqueConstraint('article_id', 'position', name=op.f('uq_article_byline_article_id')),
    )
    with op.batch_alter_table('article_byline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_byline_guest_id'), ['guest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_byline_user_id'), ['user_id'], unique=False)
    op.create_table(
        'article_correction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('editor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', blog.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'],
                                name=op.f('fk_article_correction_article_id_article'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['editor_id'], ['user.id'],
                                name=op.f('fk_article_correction_editor_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_article_correction')),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('article_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_correction_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_article_correction_created_at', ['created_at'], unique=False)
    # The article table keeps AUTOINCREMENT (0013: ids never reused) if SQLite copies it.
    with op.batch_alter_table('article', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('dateline', sa.String(length=80), server_default='', nullable=False))
    # Plain ADD COLUMN: SQLite keeps the table (and article_fts's triggers) as it is.
    op.add_column('article', sa.Column('image_focus_x', sa.SmallInteger(), server_default='50', nullable=False))
    op.add_column('article', sa.Column('image_focus_y', sa.SmallInteger(), server_default='50', nullable=False))
    op.add_column('article', sa.Column('republishable', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table('republish_count',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('site', sa.String(length=255), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.Column('first_seen', blog.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen', blog.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'],
                                name=op.f('fk_republish_count_article_id_article'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_republish_count')),
        sa.UniqueConstraint('article_id', 'site', name=op.f('uq_republish_count_article_id')),
    )


def downgrade():
    op.drop_table('republish_count')
    with op.batch_alter_table('article', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('republishable')
        batch_op.drop_column('image_focus_y')
        batch_op.drop_column('image_focus_x')
        batch_op.drop_column('dateline')
        batch_op.drop_column('label')
    op.drop_table('article_correction')
    op.drop_table('article_byline')
    op.drop_table('guest_author')
