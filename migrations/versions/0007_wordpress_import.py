"""WordPress import: the redirect table, import records, guest names on comments

Revision ID: 75af7a9e3cd5
Revises: 3f6d2a9c81b7
Create Date: 2026-12-02 21:40:00

"""

import sqlalchemy as sa
from alembic import op

from blog.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = "75af7a9e3cd5"
down_revision = "3f6d2a9c81b7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "redirect",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("origin", sa.String(length=40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redirect")),
        sa.UniqueConstraint("source", name=op.f("uq_redirect_source")),
    )
    op.create_table(
        "import_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.String(length=300), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=True),
        sa.Column("local_ref", sa.String(length=300), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_record")),
        sa.UniqueConstraint("source", "kind", "source_id", name=op.f("uq_import_record_source")),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("guest_name", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("guest_email", sa.String(length=254), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_column("guest_email")
        batch_op.drop_column("guest_name")
    op.drop_table("import_record")
    op.drop_table("redirect")
