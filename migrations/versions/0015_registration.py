"""registration: sign-ups waiting for the link mailed to their address

The account is made when the link is opened, so a registration answers the same
whether or not the address already has an account (issue 23).

Revision ID: 8c3f1d2e6a90
Revises: 5b9e0c7a4d21
Create Date: 2026-12-07 04:30:00

"""
from alembic import op
import sqlalchemy as sa
import blog.types


# revision identifiers, used by Alembic.
revision = '8c3f1d2e6a90'
down_revision = '5b9e0c7a4d21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'registration',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=30), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('display_name', sa.String(length=80), nullable=False),
        sa.Column('password_hash', sa.String(length=256), nullable=False),
        sa.Column('created_at', blog.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration')),
        # Its id is in the signed link mailed to the address: never given to another.
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_email'), ['email'], unique=False)


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_email'))
        batch_op.drop_index(batch_op.f('ix_registration_created_at'))
    op.drop_table('registration')
