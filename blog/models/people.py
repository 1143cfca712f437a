"""People: the accounts of readers and staff, and their roles.

`User` is the account as a mapped row. `Viewer` is the same account as a read-only
record: what `current_user` is on a GET or HEAD (blog/auth/sessions.py), read without
the ORM session. `Account` holds what both answer from their columns (roles, name).
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from blog.core.types import UTCDateTime, utcnow
from blog.extensions import db
from blog.models.common import NEVER_REUSE_IDS


class Role(enum.IntEnum):
    """Roles in rising order of power; a role can do everything the lower ones can."""

    READER = 1
    AUTHOR = 2
    EDITOR = 3
    ADMIN = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Role:
        return cls[label.upper()]


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class Account(UserMixin):
    """What a signed-in account answers from its own columns, as a `User` or a `Viewer`.

    It reads `id`, `username`, `display_name`, `role`, `active`, `session_token` and
    `email_confirmed_at`. Flask-Login's `UserMixin` compares two accounts by `get_id()`,
    so a `Viewer` and the `User` of one login session are equal.
    """

    # The key of the LoginSession this request runs in (blog/auth/signin.py); not a column.
    login_key = ""
    is_guest = False  # a byline credits a User or a GuestAuthor (models/content.py)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}:{self.login_key}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in inactive users
        return self.active

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, role: Role) -> bool:
        return self.role >= role

    @property
    def can_write(self) -> bool:
        return self.role >= Role.AUTHOR

    @property
    def is_editor(self) -> bool:
        return self.role >= Role.EDITOR

    @property
    def is_admin(self) -> bool:
        return self.role >= Role.ADMIN

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class User(Account, db.Model):
    __table_args__ = NEVER_REUSE_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Stored already NFKC-normalised and case-folded, so uniqueness is case-insensitive
    # and look-alikes (Admin, full-width letters) collide with the original.
    username: so.Mapped[str] = so.mapped_column(sa.String(30), unique=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    display_name: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    bio: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # "@name@server.example", for <meta name="fediverse:creator"> on what they write.
    fediverse: so.Mapped[str] = so.mapped_column(sa.String(120), default="", server_default="")
    role: so.Mapped[int] = so.mapped_column(default=Role.READER)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    can_comment: so.Mapped[bool] = so.mapped_column(default=True)
    notify_replies: so.Mapped[bool] = so.mapped_column(default=False)
    # When the reader opened the confirmation link mailed to `email` (None: not yet).
    email_confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Part of every session and remember cookie; rotating it ends every session at once.
    session_token: so.Mapped[str] = so.mapped_column(sa.String(64), default=new_session_token)
    # The authenticator app's base32 secret ("" when none is enrolled) and the last
    # 30-second step whose code was accepted: a code is never accepted twice.
    totp_secret: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    totp_last_step: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    def end_all_sessions(self) -> None:
        self.session_token = new_session_token()


@dataclass(frozen=True, eq=False)
class Viewer(Account):
    """The signed-in account of a request that only reads: `User`'s columns but the
    password hash, as read, frozen. Reading pages need no mapped object; a view that
    changes the account asks for the `User` (blog/auth/sessions.py `signed_in_user`),
    and setting an attribute here raises instead of being lost."""

    id: int
    username: str
    email: str
    display_name: str
    bio: str
    fediverse: str
    role: int
    active: bool
    can_comment: bool
    notify_replies: bool
    email_confirmed_at: datetime | None
    session_token: str
    totp_secret: str
    totp_last_step: int
    created_at: datetime
    updated_at: datetime
    login_key: str = ""

    __hash__ = Account.__hash__  # by identity, as for a User: eq=False keeps UserMixin's


class Registration(db.Model):
    """A sign-up waiting for the link mailed to its address; the account is made from
    it when the link is opened (blog/confirm/confirmation.py), so until then nothing
    shows whether the address or the name was taken. Several may wait for one address."""

    __table_args__ = NEVER_REUSE_IDS

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(30))
    email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
