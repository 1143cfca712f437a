"""media_file: audio, video and documents beside the image uploads (issue 22)

Revision ID: 7c3e9a41d2b5
Revises: 62f1c56f056c
Create Date: 2026-12-07 15:30:00

"""
from alembic import op
import sqlalchemy as sa
import blog.types


# revision identifiers, used by Alembic.
revision = '7c3e9a41d2b5'
down_revision = '62f1c56f056c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'media_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=80), nullable=False),
        sa.Column('content_type', sa.String(length=60), nullable=False),
        sa.Column('byte_size', sa.BigInteger(), nullable=False),
        sa.Column('original_name', sa.String(length=200), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploader_id', sa.Integer(), nullable=True),
        sa.Column('created_at', blog.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['uploader_id'], ['user.id'],
                                name=op.f('fk_media_file_uploader_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_media_file')),
        sa.UniqueConstraint('filename', name=op.f('uq_media_file_filename')),
        sa.UniqueConstraint('sha256', name=op.f('uq_media_file_sha256')),
        sqlite_autoincrement=True,
    )


def downgrade():
    op.drop_table('media_file')
