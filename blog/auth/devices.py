"""Login throttling that an attacker cannot turn against the account's owner: browsers
that logged in before, failures counted per account and IP, and a mailed unlock link.

Following OWASP's device cookies: a successful login (or an opened unlock or reset
link) gives the browser a signed `device` cookie naming the account. Failures are
counted per kind of attempt:
- from a browser with the account's device cookie: per device; while that device has
  fewer than LOGIN_MAX_FAILURES_PER_ACCOUNT failures, no other count stops it, so the
  right password gets in however many strangers failed on the account or behind the
  same address (a newsroom behind one NAT);
- from any other browser: per account and IP pair (LOGIN_MAX_FAILURES_PER_ACCOUNT),
  per account from every IP (LOGIN_MAX_FAILURES_PER_ACCOUNT_ANY_IP: guessing spread over
  many addresses) and per IP (LOGIN_MAX_FAILURES_PER_IP).
When such a browser is refused and the account exists, its address is mailed (once an
hour at most) a link that gives the browser it is opened in the device cookie. A
device cookie names the account's password too: a new password voids every pass.
Unknown names are counted and answered exactly like accounts, so nothing tells them
apart. The counts live in the database (blog/throttle.py): they hold across workers.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from blog.auth.credentials import ip_key, password_fingerprint
from blog.core import throttle
from blog.core.cache.site import get_settings
from blog.core.database import writing
from blog.core.mail import account_mail_key, queue_mail
from blog.core.mail_templates import compose
from blog.core.security_log import security_log
from blog.core.templating import absolute_url
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import UsedToken, User

COOKIE = "device"
DEVICE_SALT = "login-device"
DEVICE_DAYS = 180
UNLOCK_SALT = "login-unlock"
UNLOCK_MAX_AGE = 60 * 60
# However long the attack, the owner gets one unlock mail an hour at most.
UNLOCK_MAIL_EVERY = 60 * 60


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def _unlocks() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNLOCK_SALT)


def _limits() -> tuple[int, int, int, int]:
    """(per account and IP, per account from any IP, per IP, window seconds)."""
    names = ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "LOGIN_MAX_FAILURES_PER_ACCOUNT_ANY_IP",
             "LOGIN_MAX_FAILURES_PER_IP", "LOGIN_WINDOW_SECONDS")  # fmt: skip
    per_pair, per_account, per_ip, window = (int(current_app.config[n]) for n in names)
    return per_pair, per_account, per_ip, window


def account_key(user: User | None, login: str) -> str:
    # The account when it exists, so its username and email share one count; the typed
    # name otherwise, which behaves exactly the same.
    return f"user:{user.id}" if user is not None else f"name:{login.strip().casefold()}"


def pair_key(user: User | None, login: str) -> str:
    return f"{account_key(user, login)}|{ip_key()}"


def known_device_cookie(user: User | None) -> str | None:
    """The key of this browser's device cookie for `user`, or None when it has none
    (a browser that never logged in to this account, or before its last new password)."""
    raw = request.cookies.get(COOKIE)
    if user is None or not raw:
        return None
    try:
        data = _devices().loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.id or not isinstance(data.get("d"), str):
        return None
    if data.get("p") != password_fingerprint(user)[:10]:  # a new password voids every pass
        return None
    return f"device:{data['d']}"


def known_device(user: User | None) -> str | None:
    """The key counting this browser's failures when it carries `user`'s device cookie
    and has not used up its own failures; else None (count it as a stranger)."""
    key = known_device_cookie(user)
    if key is None:
        return None
    per_pair, _, _, window = _limits()
    return None if throttle.retry_after("login", key, window, per_pair) else key


def remember_device(response: Response, user: User) -> Response:
    """Give the browser `user`'s device cookie (signed, HttpOnly, only sent to /auth/);
    it names the password too, so changing the password voids every earlier pass."""
    value = _devices().dumps(
        {"u": user.id, "d": secrets.token_urlsafe(12), "p": password_fingerprint(user)[:10]}
    )
    response.set_cookie(
        COOKIE, value, max_age=DEVICE_DAYS * 86400, path="/auth/", httponly=True,
        samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )  # fmt: skip
    return response


def abort_if_locked(user: User | None, login: str, device: str | None) -> None:
    """Abort with 429 (and Retry-After) when this attempt is over a limit (see the
    module docstring); when the account exists, mail its unlock link first."""
    per_pair, per_account, per_ip, window = _limits()
    if device is not None:
        return  # known_device already checked the device's own count
    wait = max(
        throttle.retry_after("login", pair_key(user, login), window, per_pair),
        throttle.retry_after("login", account_key(user, login), window, per_account),
        throttle.retry_after("login", ip_key(), window, per_ip),
    )
    if not wait:
        return
    if user is not None and user.active:
        _mail_unlock_link(user)
    security_log("login_throttled", key=pair_key(user, login), retry_after=wait)
    at = (utcnow() + timedelta(seconds=wait)).strftime("%H:%M UTC")
    raise TooManyRequests(
        description=(
            f"Too many failed login attempts. For your security, please wait "
            f"{throttle.describe_wait(wait)} (until {at}) before trying again. If that "
            "account exists, we have mailed its address a link that lets your browser log "
            "in at once."
        ),
        retry_after=wait,
    )


def record_failure(user: User | None, login: str, device: str | None) -> None:
    """Count one failed login: against the device, else the pair, account and IP (commits)."""
    with writing():
        if device is not None:
            throttle.hit("login", device)
        else:
            throttle.hit("login", pair_key(user, login))
            throttle.hit("login", account_key(user, login))
            throttle.hit("login", ip_key())
        db.session.commit()


def clear_failures(user: User, device: str | None = None) -> None:
    """After the right password (inside the caller's write): from a known browser, only
    that device's count, since strangers' counts were not what it passed; otherwise the
    account's count and that of the account from this IP."""
    if device is not None:
        throttle.clear("login", device)
        return
    throttle.clear("login", f"user:{user.id}")
    throttle.clear("login", f"user:{user.id}|{ip_key()}")


def _mail_unlock_link(user: User) -> None:
    """Queue the unlock link to `user`'s address, at most once per UNLOCK_MAIL_EVERY
    (commits)."""
    key = f"user:{user.id}"
    if throttle.retry_after("unlock", key, UNLOCK_MAIL_EVERY, 1):
        return
    token = _unlocks().dumps({"u": user.id, "n": secrets.token_hex(4)})
    site = get_settings().get("site_name", "the site")
    subject, body, _ = compose("unlock", site=site, link=absolute_url("auth.unlock", token=token),
                               reset=absolute_url("auth.reset_request"))  # fmt: skip
    with writing():
        throttle.hit("unlock", key)
        queue_mail(user.email, subject, body,
                   account_mail_key("unlock", user.id, unlock_digest(token)))  # fmt: skip
        db.session.commit()
    security_log("unlock_link_sent", user=user.username)


def unlock_digest(token: str) -> str:
    return hashlib.sha256(f"{UNLOCK_SALT}:{token}".encode()).hexdigest()


def user_for_unlock(token: str) -> User | None:
    """The active account an unlock link is for, or None: forged, older than an hour,
    or used."""
    try:
        data = _unlocks().loads(token, max_age=UNLOCK_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active:
        return None
    used = db.session.scalar(
        sa.select(UsedToken.id).where(UsedToken.digest == unlock_digest(token))
    )
    return None if used is not None else user
