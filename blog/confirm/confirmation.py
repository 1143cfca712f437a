"""Confirmed email addresses: signed, single-use, expiring links, and the clean-up.

Two things wait for a link mailed to an address:
- a new account's own address ("register"): until it is opened, the account may log
  in and read but not comment while the `require_confirmed_email` setting is on;
- a changed address ("change"): the account keeps its old address until the link sent
  to the new one is opened; then the change applies and the old address is told.

A link carries a token signed with the secret key (itsdangerous, its own salt) naming
the account, the address to confirm and the address the account had when the link
was made. It expires after CONFIRM_LINK_HOURS; it works once (its fingerprint goes
into `used_token` in the write that applies it); and it dies when the account's
address changes in between, so an older change link cannot undo a newer one. Opening
the link shows a page with a button: the POST confirms, so a mail scanner that
fetches links confirms nothing.

Accounts that never confirm are removed by the queue's periodic clean-up (`blog
worker`, `blog send-due`) UNCONFIRMED_ACCOUNT_DAYS after registration (0: never):
readers only, and only while they have no comment and no article.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from blog.core import jobs
from blog.core.mail import account_mail_key, queue_mail
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, Comment, Role, UsedToken, User

logger = logging.getLogger("blog.confirmation")
SALT = "email-confirmation"
REGISTER, CHANGE = "register", "change"

EXPIRED = "This link has expired. Log in and ask for a new one on your account page."
INVALID = "This link is not valid. Check that you copied all of it."
USED = "This link has already been used."
SUPERSEDED = "The account's email address has changed since this link was sent."

CONFIRM_BODY = """Hello {name},

{opening}

{link}

The link works once, for {hours} hours. If you did not ask for this, ignore this
message: nothing changes.
"""
OPENINGS = {
    REGISTER: "Welcome to {site}. To confirm that {address} is your address, open this "
    "link and press the button:",
    CHANGE: "You asked to use {address} for your account at {site}. Your account keeps "
    "its old address until you open this link and press the button:",
}
CHANGED_BODY = """Hello {name},

The email address of your account at {site} was changed from {old} to {new}:
the new address was confirmed just now.

If you did not do this, reset your password at {reset} and contact the editors.
"""


@dataclass
class Confirmation:
    """What a valid link asks for."""

    user: User
    address: str
    purpose: str
    digest: str


class LinkProblem(Exception):
    """Why a link cannot be used, as a sentence for the reader."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def hours() -> int:
    return max(1, int(current_app.config["CONFIRM_LINK_HOURS"]))


def digest(token: str) -> str:
    return hashlib.sha256(f"{SALT}:{token}".encode()).hexdigest()


def make_token(user: User, address: str, purpose: str) -> str:
    # The nonce makes every link new, so asking again always sends a mail.
    data = {"uid": user.id, "to": address, "from": user.email, "p": purpose}
    return _serializer().dumps(data | {"n": secrets.token_hex(4)})


def read(token: str) -> Confirmation:
    """The confirmation `token` asks for; raises LinkProblem when it cannot be used.

    Checked again inside the write that applies it, so two clicks confirm once.
    """
    try:
        data = _serializer().loads(token, max_age=hours() * 3600)
    except SignatureExpired:
        raise LinkProblem(EXPIRED) from None
    except BadSignature:
        raise LinkProblem(INVALID) from None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise LinkProblem(INVALID)
    purpose, address = data.get("p"), data.get("to")
    if purpose not in (REGISTER, CHANGE) or not isinstance(address, str):
        raise LinkProblem(INVALID)
    user = db.session.get(User, data["uid"])
    if user is None or not user.active:
        raise LinkProblem(INVALID)
    fingerprint = digest(token)
    if db.session.scalar(sa.select(UsedToken.id).where(UsedToken.digest == fingerprint)):
        raise LinkProblem(USED)
    if data.get("from") != user.email:
        raise LinkProblem(SUPERSEDED)
    if purpose == REGISTER and user.email_confirmed:
        raise LinkProblem(USED)
    return Confirmation(user, address, purpose, fingerprint)


def queue_link(user: User, purpose: str = REGISTER, address: str | None = None) -> bool:
    """Queue the mail with a confirmation link (the caller commits, in its write).

    `user` must have its id (flush first). The link goes to `address` (the new one for a
    change), else to the account's own address.
    """
    from blog.core.cache.site import get_settings
    from blog.core.templating import absolute_url

    address = address or user.email
    token = make_token(user, address, purpose)
    site = get_settings().get("site_name", "the site")
    body = CONFIRM_BODY.format(
        name=user.name,
        opening=OPENINGS[purpose].format(site=site, address=address),
        link=absolute_url("confirm.confirm", token=token),
        hours=hours(),
    )
    subject = (
        f"Confirm your email address at {site}"
        if purpose == REGISTER
        else f"Confirm your new email address at {site}"
    )
    return queue_mail(address, subject, body, account_mail_key("confirm", user.id, digest(token)))


def apply(found: Confirmation) -> str | None:
    """Confirm inside the write transaction; the old address when this was a change.

    The caller commits; an IntegrityError at commit means the link was used at the same
    moment or the new address was taken meanwhile.
    """
    user = found.user
    db.session.add(UsedToken(digest=found.digest))
    user.email_confirmed_at = utcnow()
    if found.purpose == REGISTER or found.address == user.email:
        return None
    old = user.email
    user.email = found.address
    _tell_old_address(user, old, found.digest)
    return old


def _tell_old_address(user: User, old: str, link_digest: str) -> None:
    from blog.core.cache.site import get_settings
    from blog.core.templating import absolute_url

    site = get_settings().get("site_name", "the site")
    body = CHANGED_BODY.format(
        name=user.name, site=site, old=old, new=user.email, reset=absolute_url("auth.reset_request")
    )
    subject = f"Your email address at {site} was changed"
    queue_mail(old, subject, body, account_mail_key("email-changed", user.id, link_digest))


def unconfirmed_older_than(cutoff) -> sa.Select:
    """Reader accounts registered before `cutoff`, never confirmed, with nothing written."""
    return sa.select(User.id).where(
        User.email_confirmed_at.is_(None),
        User.created_at < cutoff,
        User.role == Role.READER,
        ~sa.exists().where(Comment.author_id == User.id),
        ~sa.exists().where(Article.author_id == User.id),
    )


@jobs.periodic
def remove_unconfirmed() -> int:
    """Delete accounts never confirmed within UNCONFIRMED_ACCOUNT_DAYS; how many."""
    days = float(current_app.config["UNCONFIRMED_ACCOUNT_DAYS"] or 0)
    if days <= 0:
        return 0
    query = unconfirmed_older_than(utcnow() - timedelta(days=days)).limit(500)
    if not db.session.scalars(query).first():  # the usual case: no write at all
        db.session.rollback()
        return 0
    with jobs.committed_write():
        ids = list(db.session.scalars(query))  # again, under the writer lock
        if ids:
            db.session.execute(sa.delete(User).where(User.id.in_(ids)))
    if ids:
        logger.info("Removed %d accounts whose address was never confirmed", len(ids))
    return len(ids)
