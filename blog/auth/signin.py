"""How a login finishes: the second step for accounts with a second factor, the login
session every logged-in browser gets, and the new-device mail.

- `after_password(user, remember, next)`: the password was right. An account with a
  second factor is not logged in yet: the session remembers, for PENDING_SECONDS, who
  passed the password (and that account's session token, so a reset in between voids
  it), and the browser goes to the code page. Otherwise the login completes.
- `open_session(user, remember)`: a fresh Flask session (no fixation) bound to a new
  `LoginSession` row, whose key is part of the session and remember cookies
  (`User.get_id`); deleting the row ends that browser's login in every worker
  (blog/auth/sessions.py checks it on every request).
- `complete_login(...)`: open the session, note the check for sudo mode, and mail a
  staff account (or one with a second factor) when the browser has no device cookie
  for it (a browser never seen before).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import sqlalchemy as sa
from flask import current_app, flash, redirect, request, session, url_for
from flask_login import login_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from blog.auth import devices, factors
from blog.auth.sudo import mark_checked
from blog.core import audit
from blog.core.cache.site import get_settings
from blog.core.database import writing
from blog.core.mail import account_mail_key, queue_mail
from blog.core.mail_templates import compose
from blog.core.security_log import security_log
from blog.core.templating import absolute_url
from blog.extensions import db
from blog.models import LoginSession, User

PENDING = "second_step"
END_SALT = "end-session"
# The new-device mail's link ends that session for this long.
END_LINK_DAYS = 30
PENDING_SECONDS = 5 * 60


def _site() -> str:
    return get_settings().get("site_name", "the site")


def open_session(user: User, *, remember: bool) -> LoginSession:
    """Log `user` in on a fresh session with a new login session row (commits)."""
    row = LoginSession(
        user_id=user.id,
        key=secrets.token_urlsafe(24),
        user_agent=(request.user_agent.string or "")[:300],
    )
    with writing():
        db.session.add(row)
        db.session.commit()
    session.clear()
    user.login_key = row.key
    login_user(user, remember=remember)
    return row


def complete_login(user: User, *, remember: bool, next_target: str | None) -> Response:
    """Finish a login whose every check passed: session, sudo clock, new-device mail,
    the device cookie, and the redirect (303) to `next_target` or the front page."""
    # Staff accounts and any account with a second factor are told of a new browser;
    # a reader's every new phone would be noise.
    told = user.can_write or factors.has_factor(user)
    new_device = told and devices.known_device_cookie(user) is None
    row = open_session(user, remember=remember)
    mark_checked()
    if new_device:
        _mail_new_device(user, row)
    security_log("login", user=user.username, remember=bool(remember))
    flash(f"Welcome back, {user.name}.", "success")
    response = redirect(next_target or url_for("public.index"), code=303)
    return devices.remember_device(response, user)


def after_password(user: User, *, remember: bool, next_target: str | None) -> Response:
    """The password was right: complete the login, or ask for the second factor first."""
    if not factors.has_factor(user):
        return complete_login(user, remember=remember, next_target=next_target)
    session.clear()
    session[PENDING] = {"u": user.id, "t": user.session_token, "r": bool(remember),
                        "n": next_target, "at": int(time.time())}  # fmt: skip
    return redirect(url_for("factors.verify"), code=303)


def pending() -> tuple[User, dict] | None:
    """The account that passed its password in this browser and waits for its code."""
    data = session.get(PENDING)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    if not isinstance(data.get("at"), int) or not 0 <= time.time() - data["at"] <= PENDING_SECONDS:
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or user.session_token != data.get("t"):
        return None
    return user, data


def _mail_new_device(user: User, row: LoginSession) -> None:
    device = describe_agent(row.user_agent)
    subject, body, _ = compose(
        "new_device", name=user.name, site=_site(), device=device,
        link=absolute_url("factors.end_by_link", token=end_token(row)),
        security=absolute_url("factors.security"),
    )  # fmt: skip
    with writing():
        queue_mail(user.email, subject, body, account_mail_key("new-device", user.id, row.key))
        db.session.commit()


def _end_links() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=END_SALT)


def _key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def end_token(row: LoginSession) -> str:
    """The signed token of the new-device mail's link that ends session `row`."""
    return _end_links().dumps({"s": row.id, "k": _key_digest(row.key)})


def session_for_end_token(token: str) -> LoginSession | None:
    """The login session an end link names, or None: forged, too old, or already ended."""
    try:
        data = _end_links().loads(token, max_age=END_LINK_DAYS * 86400)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    row = db.session.get(LoginSession, data["s"])
    if row is None or not hmac.compare_digest(str(data.get("k")), _key_digest(row.key)):
        return None
    return row


def describe_agent(agent: str) -> str:
    """'Firefox on Linux': the browser and system a user agent names, or 'Unknown browser'."""
    text = agent or ""
    browser = next(
        (name for token, name in (
            ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl"),
        ) if token in text),
        "Unknown browser",
    )  # fmt: skip
    system = next(
        (name for token, name in (
            ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux"),
        ) if token in text),
        "",
    )  # fmt: skip
    return f"{browser} on {system}" if system else browser


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """Delete the account's login sessions but `keep` (inside the caller's write)."""
    statement = sa.delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(LoginSession.key != keep)
    return db.session.execute(statement).rowcount or 0


def reset_second_factors(user: User) -> None:
    """An admin's reset of `user`'s second factors: removed with their recovery codes,
    every session ended, audited and mailed to the account (commits)."""
    subject, body, _ = compose("second_factor_reset", name=user.name, site=_site(),
                               link=absolute_url("auth.login"))  # fmt: skip
    with writing():
        factors.remove_all(user)
        user.end_all_sessions()
        end_sessions(user)
        audit.record("user.reset_second_factor", user)
        queue_mail(user.email, subject, body,
                   account_mail_key("2fa-reset", user.id, secrets.token_hex(8)))  # fmt: skip
        db.session.commit()
    security_log("second_factor_reset", user=user.username)
