"""Subscribers put on the list by an account that never confirmed its address wait again

Until now an account could subscribe its address with one click before confirming it,
so anyone could register with a stranger's address and put it on the list (issue 23).
Such rows (active, linked to an account whose address is still unconfirmed, and of that
address) go back to waiting and lose the link: they receive nothing until the owner of
the address confirms, by the newsletter's mailed link or by confirming the account and
subscribing from it. Nothing to undo on downgrade: the old state was the defect.

Revision ID: 5b9e0c7a4d21
Revises: 9c3e5a1b7d20
Create Date: 2026-12-07 04:20:00

"""
from alembic import op
import sqlalchemy as sa
import blog.types


# revision identifiers, used by Alembic.
revision = '5b9e0c7a4d21'
down_revision = '9c3e5a1b7d20'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        sa.text(
            "UPDATE subscriber SET state = 'waiting', user_id = NULL "
            "WHERE state = 'active' AND user_id IN ("
            '  SELECT "user".id FROM "user" '
            '  WHERE "user".email_confirmed_at IS NULL AND "user".email = subscriber.email)'
        )
    )


def downgrade():
    pass
