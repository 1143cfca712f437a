"""staff sign-in: TOTP secret on user, recovery codes, passkeys, login sessions

Second factors and the sessions an account page lists (issue 27).

Revision ID: 5ded21fdb2eb
Revises: e1a028b3db12
Create Date: 2026-12-07 07:00:00

"""
from alembic import op
import sqlalchemy as sa
import blog.types


# revision identifiers, used by Alembic.
revision = '5ded21fdb2eb'
down_revision = 'e1a028b3db12'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), server_default='0', nullable=False))
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('used_at', blog.types.UTCDateTime(), nullable=True),
        sa.Column('created_at', blog.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_recovery_code_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
        sa.UniqueConstraint('digest', name=op.f('uq_recovery_code_digest')),
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)
    op.create_table(
        'passkey',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('credential_id', sa.String(length=1400), nullable=False),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
        sa.Column('sign_count', sa.BigInteger(), nullable=False),
        sa.Column('created_at', blog.types.UTCDateTime(), nullable=False),
        sa.Column('last_used_at', blog.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_passkey_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_passkey')),
        sa.UniqueConstraint('credential_id', name=op.f('uq_passkey_credential_id')),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('passkey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passkey_user_id'), ['user_id'], unique=False)
    op.create_table(
        'login_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('user_agent', sa.String(length=300), nullable=False),
        sa.Column('created_at', blog.types.UTCDateTime(), nullable=False),
        sa.Column('last_seen_at', blog.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_login_session_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
        sa.UniqueConstraint('key', name=op.f('uq_login_session_key')),
        # Its id is in the mailed "end this session" link: never given to another.
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('login_session')
    op.drop_table('passkey')
    op.drop_table('recovery_code')
    with op.batch_alter_table('user', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
