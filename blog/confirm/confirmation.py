"""Confirmed email addresses: signed, single-use, expiring links, and the clean-up.

Three things wait for a link mailed to an address:
- a sign-up ("new"): the account is made when the link is opened, from the waiting
  `Registration`, so registering answers the same whether the address already has an
  account or not; when it has, its owner is mailed instead (`register`);
- the address of an account that has none confirmed yet ("register": accounts made
  before sign-ups waited for their link): until it is opened, the account may log in
  and read but not comment while the `require_confirmed_email` setting is on;
- a changed address ("change"): the account keeps its old address until the link sent
  to the new one is opened; then the change applies and the old address is told.

No mail greets anyone by a name: a name is chosen by whoever registers or edits a
profile, who may not own the address, and would use the greeting as their message.

A link carries a token signed with the secret key (itsdangerous, its own salt) naming
the account (or the waiting registration), the address to confirm and the address the
account had when the link was made. It expires after CONFIRM_LINK_HOURS; it works
once (its fingerprint goes into `used_token` in the write that applies it); and it
dies when the account's address changes in between, so an older change link cannot
undo a newer one. Opening
the link shows a page with a button: the POST confirms, so a mail scanner that
fetches links confirms nothing.

Accounts that never confirm are removed by the queue's periodic clean-up (`blog
worker`, `blog send-due`) UNCONFIRMED_ACCOUNT_DAYS after registration (0: never):
readers only, and only while they have no comment and no article. Registrations go
once their link has expired.
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
from blog.core.cache.site import get_settings
from blog.core.mail import account_mail_key, queue_mail
from blog.core.mail_templates import compose
from blog.core.templating import absolute_url
from blog.core.types import utcnow
from blog.extensions import db
from blog.models import Article, Comment, Registration, Role, UsedToken, User

logger = logging.getLogger("blog.confirmation")
SALT = "email-confirmation"
NEW, REGISTER, CHANGE = "new", "register", "change"

EXPIRED = (
    "This link has expired. Register again, or, if you have an account, log in and ask "
    "for a new one on your account page."
)
INVALID = "This link is not valid. Check that you copied all of it."
USED = "This link has already been used."
SUPERSEDED = "The account's email address has changed since this link was sent."
TAKEN_MEANWHILE = (
    "That username was taken, or this address got an account, since you registered. "
    "Please register again."
)


@dataclass
class Confirmation:
    """What a valid link asks for: a sign-up has its `registration` and no `user` until
    `apply` makes the account."""

    user: User | None
    address: str
    purpose: str
    digest: str
    registration: Registration | None = None


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


def _read_registration(data: dict, fingerprint: str) -> Confirmation:
    registration = (
        db.session.get(Registration, data["reg"]) if isinstance(data.get("reg"), int) else None
    )
    if db.session.scalar(sa.select(UsedToken.id).where(UsedToken.digest == fingerprint)):
        raise LinkProblem(USED)
    if registration is None or registration.email != data.get("to"):
        raise LinkProblem(INVALID)
    return Confirmation(None, registration.email, NEW, fingerprint, registration)


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
    if isinstance(data, dict) and data.get("p") == NEW:
        return _read_registration(data, digest(token))
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
    address = address or user.email
    token = make_token(user, address, purpose)
    site = get_settings().get("site_name", "the site")
    link = absolute_url("confirm.confirm", token=token)
    subject, body, _ = compose("account_confirm", purpose=purpose, site=site, address=address,
                               link=link, hours=hours())  # fmt: skip
    return queue_mail(address, subject, body, account_mail_key("confirm", user.id, digest(token)))


def apply(found: Confirmation) -> str | None:
    """Confirm inside the write transaction; the old address when this was a change.

    A sign-up's account is made here (`found.user` is set to it), from its registration,
    which goes. The caller commits; an IntegrityError at commit means the link was used
    at the same moment, or the name or address was taken meanwhile.
    """
    if found.purpose == NEW:
        _make_account(found)
        return None
    user = found.user
    db.session.add(UsedToken(digest=found.digest))
    user.email_confirmed_at = utcnow()
    if found.purpose == REGISTER or found.address == user.email:
        return None
    old = user.email
    user.email = found.address
    _tell_old_address(user, old, found.digest)
    return old


def _make_account(found: Confirmation) -> None:
    registration = found.registration
    found.user = User(
        username=registration.username,
        email=registration.email,
        password_hash=registration.password_hash,
        display_name=registration.display_name,
        role=Role.READER,
        email_confirmed_at=utcnow(),
    )
    db.session.add_all([found.user, UsedToken(digest=found.digest)])
    db.session.delete(registration)


def register(username: str, address: str, display_name: str, password_hash: str) -> None:
    """A sign-up, inside the caller's write (the caller commits and answers the same
    whatever happened here): when `address` has no account, a `Registration` waits and
    the address is mailed a link that makes the account; when it has one, its owner is
    mailed that someone tried, and nothing else changes."""
    site = get_settings().get("site_name", "the site")
    owner = db.session.scalar(sa.select(User).where(User.email == address))
    if owner is not None:
        subject, body, _ = compose("register_taken", site=site, login=absolute_url("auth.login"),
                                   reset=absolute_url("auth.reset_request"))  # fmt: skip
        key = account_mail_key("register-taken", owner.id, secrets.token_hex(16))
        queue_mail(address, subject, body, key)
        return
    registration = Registration(username=username, email=address, display_name=display_name,
                                password_hash=password_hash)  # fmt: skip
    db.session.add(registration)
    db.session.flush()
    token = _serializer().dumps(
        {"reg": registration.id, "to": address, "p": NEW, "n": secrets.token_hex(4)}
    )
    link = absolute_url("confirm.confirm", token=token)
    subject, body, _ = compose("account_confirm", purpose=NEW, site=site, address=address,
                               link=link, hours=hours())  # fmt: skip
    queue_mail(address, subject, body, f"register:{registration.id}:{digest(token)[:32]}")


def _tell_old_address(user: User, old: str, link_digest: str) -> None:
    site = get_settings().get("site_name", "the site")
    subject, body, _ = compose("email_changed", site=site, old=old, new=user.email,
                               reset=absolute_url("auth.reset_request"))  # fmt: skip
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


@jobs.periodic
def remove_stale_registrations() -> int:
    """Delete sign-ups whose link has expired; how many."""
    stale = sa.select(Registration.id).where(
        Registration.created_at < utcnow() - timedelta(hours=hours())
    )
    if not db.session.scalars(stale.limit(1)).first():  # the usual case: no write at all
        db.session.rollback()
        return 0
    with jobs.committed_write():
        removed = db.session.execute(sa.delete(Registration).where(Registration.id.in_(stale)))
    return removed.rowcount or 0
