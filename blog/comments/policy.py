"""Who may comment and what happens to a comment: validation, spam checks, moderation.

Everything here that reads the database is meant to run inside the view's write
transaction (inside `with writing():`), so two workers cannot both pass a limit at once.
"""

import hashlib
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, TimestampSigner

from blog.core import throttle
from blog.core.cache.site import get_settings
from blog.core.content import has_control_chars
from blog.extensions import db
from blog.models import Account, Comment, CommentStatus

THROTTLE_KIND = "comment"
RATE_WINDOW_SECONDS = 60
_SIGNER_SALT = "blog.comments.form-started"


def body_problem(text: str | None) -> str | None:
    """Why a comment body cannot be saved, as a sentence for the form; None when it can."""
    text = text or ""
    if not text.strip():
        return "Please write something before posting."
    if has_control_chars(text):
        return (
            "Your comment contained invisible control characters (such as NUL bytes); "
            "they have been removed. Please check the text and submit it again."
        )
    limit = int(current_app.config["COMMENT_MAX_LENGTH"])
    if len(text) > limit:
        return (
            f"Comments can be at most {limit:,} characters long; yours has {len(text):,}. "
            "Please shorten it."
        )
    return None


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.secret_key, salt=_SIGNER_SALT)


def form_started_token(user: Account | None) -> str:
    """A signed "this form was rendered now for this user" value for the hidden field.

    A random part makes each rendered form's token unique: it is also the form's
    idempotency key (`idempotency_key`).
    """
    nonce = secrets.token_urlsafe(9)
    return _signer().sign(f"{getattr(user, 'id', '') or ''}:{nonce}").decode()


def _token_user(token: str | None) -> tuple[str, datetime] | None:
    """(the user id the token names, when it was signed); None when it is not ours."""
    try:
        value, signed_at = _signer().unsign(token or "", return_timestamp=True)
    except BadSignature:
        return None
    return value.decode().partition(":")[0], signed_at


def idempotency_key(token: str | None, user: Account, source: str) -> str | None:
    """The key a comment posted with this form's start token and text `source` is stored
    under, or None when the token is missing, forged or someone else's (no
    de-duplication then). The text is part of the key: a retried POST sends the same
    text, while a form brought back with the browser's Back button and rewritten is a
    new comment, not a replay."""
    found = _token_user(token)
    if found is None or found[0] != str(user.id):
        return None
    return hashlib.sha256(f"{token}\0{source}".encode()).hexdigest()


def first_post(key: str | None) -> Comment | None:
    """The comment already made with idempotency `key`, if any (a replayed POST)."""
    if key is None:
        return None
    return db.session.scalar(sa.select(Comment).where(Comment.idempotency_key == key))


def timing_problem(token: str | None, user: Account) -> str | None:
    """Why the form came back too fast (or without a valid timestamp); None when fine.

    With COMMENT_MIN_SECONDS at 0 the check is off entirely.
    """
    minimum = float(current_app.config["COMMENT_MIN_SECONDS"])
    if minimum <= 0:
        return None
    found = _token_user(token)
    if found is None or found[0] != str(user.id):
        return "We could not verify when this form was opened. Please submit it again."
    signed_at = found[1]
    age = (datetime.now(UTC) - signed_at).total_seconds()
    if age < minimum:
        return (
            "That was very fast. To keep out spam robots, please take a few seconds "
            "before posting, then submit again."
        )
    return None


def rate_limit_wait(user: Account) -> int:
    """Seconds until `user` may post again (0 now); call inside the write transaction."""
    limit = int(current_app.config["COMMENT_MAX_PER_MINUTE"])
    return throttle.retry_after(
        THROTTLE_KIND, f"user:{user.id}", window=RATE_WINDOW_SECONDS, limit=limit
    )


def record_post(user: Account) -> None:
    """Count one posted comment against the rate limit (the caller commits)."""
    throttle.hit(THROTTLE_KIND, f"user:{user.id}")


def comment_policy() -> str:
    policy = get_settings().get("comment_policy", "first")
    return policy if policy in ("open", "first", "all") else "first"


def too_many_links(html: str) -> bool:
    """Whether rendered comment HTML has more than COMMENT_MAX_LINKS links.

    Takes the HTML the view already rendered (the same count as
    rendering the source again would give), so Markdown is rendered once per request.
    """
    return html.count("<a ") > int(current_app.config["COMMENT_MAX_LINKS"])


def initial_status(user: Account, *, held_for_links: bool, policy: str) -> CommentStatus:
    """Approved or pending for a new comment by `user`.

    Staff (author and up) are never held. Otherwise a comment with more than
    COMMENT_MAX_LINKS links is held, and the site's policy decides the rest: "open"
    approves, "all" holds, "first" holds until the reader has an approved comment.
    `policy` is read (with `comment_policy()`) before the write transaction opens.
    """
    if user.can_write:
        return CommentStatus.APPROVED
    if held_for_links or policy == "all":
        return CommentStatus.PENDING
    if policy == "open":
        return CommentStatus.APPROVED
    has_approved = db.session.scalar(
        sa.select(
            sa.exists().where(
                Comment.author_id == user.id, Comment.status == CommentStatus.APPROVED
            )
        )
    )
    return CommentStatus.APPROVED if has_approved else CommentStatus.PENDING


def may_comment_state(user: Account) -> str:
    """ "yes", "muted" (an editor turned commenting off) or "unconfirmed" (the site
    asks for a confirmed address and this account has not opened its link yet)."""
    if not user.can_comment:
        return "muted"
    if not user.email_confirmed and get_settings().get("require_confirmed_email", True):
        return "unconfirmed"
    return "yes"
