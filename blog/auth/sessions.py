"""Who the session cookie belongs to (Flask-Login's user loader), the cookie's signing,
and what an anonymous visitor on a `login_required` view is told."""

import hmac
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, flash, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key
from werkzeug.wrappers import Response

from blog.core.driver import OneRow
from blog.core.state import request_state
from blog.core.types import utcnow
from blog.core.urls import safe_next
from blog.extensions import db
from blog.models import LoginSession, User


def load_user(user_id: str) -> User | None:
    """The active user of a cookie "id:session_token:login_key", or None.

    The login key names a `LoginSession` row (blog/auth/signin.py): once the row is
    deleted (the account page's "end session", a logout), the cookie is dead in every
    worker at its next request.
    """
    id_part, _, rest = user_id.partition(":")
    token, _, key = rest.partition(":")
    if not id_part.isdigit() or not token or not key:
        return None
    uid = int(id_part)
    if request_state().writing or identity_key(User, uid) in db.session.identity_map:
        user, seen_at = _load_in_session(uid, key)  # its own transaction's view
        values = {"active": user.active, "session_token": user.session_token} if user else None
    else:
        values = _SIGNED_IN_ROW.read(db.engine, key[:64])
        user, seen_at = None, None
        if values is not None:
            seen_at = values.pop("session_seen_at")
            if values.pop("session_user_id") != uid:
                values = None
    if values is None or not values["active"]:
        return None
    # Logout, a password change or deactivation rotate the token: old cookies die.
    if not hmac.compare_digest(values["session_token"], token):
        return None
    if seen_at is not None and seen_at < utcnow() - SEEN_EVERY and not request_state().writing:
        _refresh_seen(key)
    user = user if user is not None else _attach(values)
    user.login_key = key
    return user


# How stale "last seen" may get before a request refreshes it: one small write per
# browser every few minutes, not one per request.
SEEN_EVERY = timedelta(minutes=5)

# Every logged-in request loads its login session and its user. Through the ORM session
# that costs a BEGIN, a ROLLBACK, the queries and the loading (bench/README.md, "One
# house", has the figure), so both come in one row read on a driver connection
# (blog/core/driver.py), and the user is handed to the session as if a query had loaded
# it: writes through `current_user` work as ever.
_sessions, _users = LoginSession.__table__, User.__table__
_SIGNED_IN_ROW = OneRow(
    [
        *_users.columns,
        _sessions.c.user_id.label("session_user_id"),
        _sessions.c.last_seen_at.label("session_seen_at"),
    ],
    lambda key: sa.and_(_sessions.c.key == key, _users.c.id == _sessions.c.user_id),
)


def _load_in_session(uid: int, key: str) -> tuple[User | None, datetime | None]:
    """User `uid` and the last_seen_at of its login session `key`, through the ORM
    session (a request that writes sees its own transaction); (None, None) when the
    session is not that user's."""
    seen_at = db.session.scalar(
        sa.select(LoginSession.last_seen_at).where(
            LoginSession.key == key, LoginSession.user_id == uid
        )
    )
    if seen_at is None:
        return None, None
    return db.session.get(User, uid), seen_at


def _refresh_seen(key: str) -> None:
    """Move login session `key`'s last_seen_at to now, in one statement on its own
    connection: no read-then-write transaction to lock."""
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(LoginSession).where(LoginSession.key == key).values(last_seen_at=utcnow())
        )


def _attach(values: dict) -> User:
    """A persistent User in this request's session, from a row read outside it.

    Made by the mapped constructor, then marked as loaded (`make_transient_to_detached`,
    SQLAlchemy's public way to do so) and added: nothing is pending, and a later change
    is tracked as usual.
    """
    user = User(**values)
    make_transient_to_detached(user)
    db.session.add(user)
    return user


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key.

    Flask builds a new serializer for every request, anonymous ones included, which
    cost a fiftieth of a cache-off article page. The one kept here is rebuilt when
    SECRET_KEY or SECRET_KEY_FALLBACKS change (a key rotation, a test's app).
    """

    _kept: tuple[tuple, URLSafeTimedSerializer | None] = ((), None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept_keys, serializer = self._kept
        if kept_keys != keys:
            serializer = super().get_signing_serializer(app)
            self._kept = (keys, serializer)
        return serializer


def ask_to_log_in() -> Response:
    """Send an anonymous visitor to the login form, to come back where they were.

    A GET comes back to its own URL. A form POSTed with an expired session (the account
    page's forms) comes back to the page the form was on, read from a same-site Referer:
    the POST URL has no page of its own. Without one, login leads to the front page.
    """
    flash("Please log in to see that page.", "info")
    if request.method in ("GET", "HEAD"):
        back = safe_next(request.full_path.removesuffix("?"))
    else:
        referrer = urlsplit(request.referrer or "")
        same_site = referrer.netloc == request.host
        back = safe_next(referrer._replace(scheme="", netloc="").geturl()) if same_site else None
    return redirect(url_for("auth.login", next=back))
