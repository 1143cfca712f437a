"""Staff sign-in: second factors (recovery codes, passkeys) and the login sessions an
account page lists and ends. The TOTP secret itself is a column of `User`."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from blog.core.types import UTCDateTime, utcnow
from blog.extensions import db
from blog.models.common import NEVER_REUSE_IDS


class RecoveryCode(db.Model):
    """One of an account's ten single-use recovery codes, kept as a SHA-256 digest."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    digest: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Passkey(db.Model):
    """A WebAuthn credential (passkey or security key) registered to an account."""

    __table_args__ = NEVER_REUSE_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(60))
    # base64url of the credential id the authenticator made
    credential_id: so.Mapped[str] = so.mapped_column(sa.String(1400), unique=True)
    public_key: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    sign_count: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class LoginSession(db.Model):
    """One logged-in browser. Its `key` is in the browser's session and remember cookie;
    deleting the row logs that browser out on its next request, in every worker."""

    __table_args__ = NEVER_REUSE_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    key: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    user_agent: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
