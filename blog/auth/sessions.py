"""Who the session cookie belongs to (Flask-Login's user loader), the cookie's signing,
and what an anonymous visitor on a `login_required` view is told."""

import hmac
from urllib.parse import urlsplit

from flask import Flask, flash, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key
from werkzeug.wrappers import Response

from blog.core.driver import OneRow
from blog.core.state import request_state
from blog.core.urls import safe_next
from blog.extensions import db
from blog.models import User


def load_user(user_id: str) -> User | None:
    """The active user of a cookie "id:session_token", or None."""
    id_part, _, token = user_id.partition(":")
    if not id_part.isdigit() or not token:
        return None
    uid = int(id_part)
    if request_state().writing or identity_key(User, uid) in db.session.identity_map:
        user = db.session.get(User, uid)  # its own transaction's view, or already loaded
        values = {"active": user.active, "session_token": user.session_token} if user else None
    else:
        values = _read_user(uid)
        user = None
    if values is None or not values["active"]:
        return None
    # Logout, a password change or deactivation rotate the token: old cookies die.
    if not hmac.compare_digest(values["session_token"], token):
        return None
    return user if user is not None else _attach(values)


# Every logged-in request loads its user. Through the ORM session that costs a BEGIN,
# a ROLLBACK, the query and the loading (bench/README.md, "One house", has the figure),
# so the row is read on a driver connection (blog/core/driver.py) and handed to the
# session as if a query had loaded it: writes through `current_user` work as ever.
_USER_ROW = OneRow(list(User.__table__.columns), lambda uid: User.__table__.c.id == uid)


def _read_user(uid: int) -> dict | None:
    """The user row `uid` as column values (converted as the ORM would), or None."""
    return _USER_ROW.read(db.engine, uid)


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
