"""Credentials of the auth blueprint: password checks, reset and registration throttles,
and the signed reset tokens (failed logins: blog/auth/devices.py). What the views of
blog/auth/views.py use, kept apart so that the views read as pages.

- `check_password` takes the same time whether the account exists or not (an unknown
  name is checked against a dummy scrypt hash); `find_user` reads a username or email.
- `abort_if_throttled(kind, ...)` and `record_failure(kind, ...)` count per account and
  per IP with the limits of `kind` (LIMITS: "password-check", "second-factor", "reset", "register"),
  kept in the database.
- A reset token is signed with the secret key, names the user and a fingerprint of
  their password (a changed password voids it), lives an hour and works once
  (`UsedToken` keeps its digest).
"""

import hashlib
import hmac
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.exceptions import TooManyRequests
from werkzeug.security import check_password_hash, generate_password_hash

from blog.auth.rules import normalize_email, normalize_username
from blog.core import throttle
from blog.core.database import writing
from blog.core.security_log import security_log
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import UsedToken, User

GENERIC_LOGIN_ERROR = "That username or email and password do not match an active account."


RESET_SALT = "password-reset"


RESET_MAX_AGE = 60 * 60


@cache
def dummy_hash() -> str:
    """A real hash (same method as real users') to check against for unknown accounts."""
    return generate_password_hash("not the password of anyone")


def check_password(user: User | None, password: str) -> bool:
    """Whether `password` is the user's; costs the same time when `user` is None."""
    if user is None:
        check_password_hash(dummy_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)


def find_user(login: str) -> User | None:
    """The user whose username or email is `login` (normalised like at registration)."""
    login = login.strip()
    if "@" in login:
        try:
            address = normalize_email(login)
        except ValueError:
            address = login.lower()
        return db.session.scalar(sa.select(User).where(User.email == address))
    return db.session.scalar(sa.select(User).where(User.username == normalize_username(login)))


def ip_key() -> str:
    return f"ip:{request.remote_addr or '-'}"


# Per account, per IP, and the window they count in: the settings of each kind.
LIMITS = {
    # Wrong "current password" answers on the account page: a kind of their own, so
    # strangers' failed logins (blog/auth/devices.py) never lock the owner out of it.
    "password-check": (
        "LOGIN_MAX_FAILURES_PER_ACCOUNT",
        "LOGIN_MAX_FAILURES_PER_IP",
        "LOGIN_WINDOW_SECONDS",
    ),
    # Second-factor codes (at the login's code page, enrolment and sudo mode): the
    # login limits, counted apart from passwords.
    "second-factor": (
        "LOGIN_MAX_FAILURES_PER_ACCOUNT",
        "LOGIN_MAX_FAILURES_PER_IP",
        "LOGIN_WINDOW_SECONDS",
    ),
    "reset": ("RESET_MAX_PER_ACCOUNT", "RESET_MAX_PER_IP", "RESET_WINDOW_SECONDS"),
    "register": ("REGISTER_MAX_PER_ADDRESS", "REGISTER_MAX_PER_IP", "REGISTER_WINDOW_SECONDS"),
}


def limits(kind: str) -> tuple[int, int, int]:
    per_account, per_ip, window = (int(current_app.config[key]) for key in LIMITS[kind])
    return per_account, per_ip, window


def abort_if_throttled(kind: str, account_key: str, what: str) -> None:
    """Abort with 429 (and Retry-After) when the account or this IP is over its limit."""
    per_account, per_ip, window = limits(kind)
    wait = max(
        throttle.retry_after(kind, account_key, window, per_account),
        throttle.retry_after(kind, ip_key(), window, per_ip),
    )
    if not wait:
        return
    security_log(f"{kind}_throttled", key=account_key, retry_after=wait)
    at = (utcnow() + timedelta(seconds=wait)).strftime("%H:%M UTC")
    raise TooManyRequests(
        description=(
            f"Too many {what}. For your security, please wait {throttle.describe_wait(wait)} "
            f"(until {at}) before trying again."
        ),
        retry_after=wait,
    )


def record_failure(kind: str, account_key: str) -> None:
    """Count one failed attempt against the account and this IP (commits)."""
    with writing():
        throttle.hit(kind, account_key)
        throttle.hit(kind, ip_key())
        db.session.commit()


def reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def password_fingerprint(user: User) -> str:
    # A changed password changes the fingerprint, which voids every older token.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_reset_token(user: User) -> str:
    """A signed token naming the user and their current password; valid one hour."""
    return reset_serializer().dumps({"uid": user.id, "pw": password_fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    """The user a reset token is for, or None if it is forged, old, used or stale."""
    try:
        data = reset_serializer().loads(token, max_age=RESET_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    user = db.session.get(User, data["uid"])
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(str(data.get("pw", "")), password_fingerprint(user)):
        return None
    used = db.session.scalar(sa.select(UsedToken.id).where(UsedToken.digest == token_digest(token)))
    return None if used is not None else user
