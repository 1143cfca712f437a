"""Who the session cookie belongs to (Flask-Login's user loader, `load_user`; the
`User` behind a reading request's `Viewer`, `signed_in_user`), the cookie's signing, and
what an anonymous visitor on a `login_required` view is told (`ask_to_log_in`)."""

import hmac
from dataclasses import fields
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, abort, flash, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from itsdangerous import URLSafeTimedSerializer
from werkzeug.wrappers import Response

from blog.core.driver import OneRow
from blog.core.state import request_state
from blog.core.types import utcnow
from blog.core.urls import safe_next
from blog.extensions import db
from blog.models import Account, LoginSession, User, Viewer


def load_user(user_id: str) -> Account | None:
    """The active account of a cookie "id:session_token:login_key", or None.

    On a GET or HEAD that is a `Viewer`, read with its login session in one driver row
    (no ORM session, no mapped object). On anything else, and once the request writes,
    it is the `User`, loaded by the session, so the view can change it. The login key
    names a `LoginSession` row (blog/auth/signin.py): once the row is deleted (the
    account page's "end session", a logout), the cookie is dead in every worker at its
    next request.
    """
    id_part, _, rest = user_id.partition(":")
    token, _, key = rest.partition(":")
    if not id_part.isdigit() or not token or not key:
        return None
    uid = int(id_part)
    reading = request.method in ("GET", "HEAD") and not request_state().writing
    found = _read_viewer(uid, key) if reading else _load_in_session(uid, key)
    if found is None:
        return None
    someone, seen_at = found
    if not someone.active:
        return None
    # Logout, a password change or deactivation rotate the token: old cookies die.
    if not hmac.compare_digest(someone.session_token, token):
        return None
    if seen_at < utcnow() - SEEN_EVERY and not request_state().writing:
        _refresh_seen(key)
    if isinstance(someone, User):
        someone.login_key = key
    return someone


def signed_in_user() -> User:
    """The signed-in account as a `User` of this request's session, for a view that
    changes it or follows its relationships: `current_user` itself on a POST, loaded by
    its id on a GET (where `current_user` is a `Viewer`). A `login_required` view's
    reader whose account went away meanwhile is sent to log in."""
    someone = current_user._get_current_object()
    if isinstance(someone, User):
        return someone
    user = db.session.get(User, someone.id)
    if user is None or user.session_token != someone.session_token:
        abort(ask_to_log_in())
    user.login_key = someone.login_key
    return user


# How stale "last seen" may get before a request refreshes it: one small write per
# browser every few minutes, not one per request.
SEEN_EVERY = timedelta(minutes=5)

# A reading request's account and its login session, in one row read on a driver
# connection (blog/core/driver.py): through the ORM session that costs a BEGIN, a
# ROLLBACK, the queries and the loading (bench/README.md, "One house").
_sessions, _users = LoginSession.__table__, User.__table__
_VIEWER_COLUMNS = [f.name for f in fields(Viewer) if f.name != "login_key"]
_SIGNED_IN_ROW = OneRow(
    [
        *(_users.c[name] for name in _VIEWER_COLUMNS),
        _sessions.c.user_id.label("session_user_id"),
        _sessions.c.last_seen_at.label("session_seen_at"),
    ],
    lambda key: sa.and_(_sessions.c.key == key, _users.c.id == _sessions.c.user_id),
)


def _read_viewer(uid: int, key: str) -> tuple[Viewer, datetime] | None:
    """User `uid` as a `Viewer` and the last_seen_at of its login session `key`, from
    one driver row; None when the session is not that user's."""
    values = _SIGNED_IN_ROW.read(db.engine, key[:64])
    if values is None or values.pop("session_user_id") != uid:
        return None
    seen_at = values.pop("session_seen_at")
    return Viewer(**values, login_key=key), seen_at


def _load_in_session(uid: int, key: str) -> tuple[User, datetime] | None:
    """User `uid` and the last_seen_at of its login session `key`, through the ORM
    session (a request that writes sees its own transaction); None when the session
    is not that user's."""
    seen_at = db.session.scalar(
        sa.select(LoginSession.last_seen_at).where(
            LoginSession.key == key, LoginSession.user_id == uid
        )
    )
    user = db.session.get(User, uid) if seen_at is not None else None
    return (user, seen_at) if user is not None else None


def _refresh_seen(key: str) -> None:
    """Move login session `key`'s last_seen_at to now, in one statement on its own
    connection: no read-then-write transaction to lock."""
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(LoginSession).where(LoginSession.key == key).values(last_seen_at=utcnow())
        )


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
