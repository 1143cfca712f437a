"""Rate limits kept in the database, so they hold across every worker process.

Each counted attempt is one `ThrottleEvent` row (kind, key, created_at), looked up
through the (kind, key, created_at) index. A caller chooses:

- `kind`: what is counted, at most 20 characters: "login" (failed logins),
  "reset" (password-reset requests), "comment" (posted comments), ...
- `key`: who is counted, at most 300 characters: "user:42", "ip:203.0.113.9",
  "name:rita", "email:rita@example.com", ...

Typical use, e.g. "5 comments a minute" for the comments blueprint::

    from blog.core import throttle

    wait = throttle.retry_after("comment", f"user:{user.id}", window=60, limit=5)
    if wait:
        ...  # refuse: "try again in {wait} seconds", keep the typed text
    ...
    with writing():
        throttle.hit("comment", f"user:{user.id}")
        db.session.commit()

`hit` and `clear` only add to the session: the caller commits, inside its own write
transaction (inside `with writing():`). `count` and `retry_after` only read. Checking and
recording are separate statements, so several workers racing at the same moment can
overshoot a limit by a request or two; the limit still holds within that margin.
"""

import math
import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from blog.core.types import utcnow
from blog.extensions import db
from blog.models import ThrottleEvent

# Rows older than this are never needed by any limit and get deleted now and then.
KEEP = timedelta(days=1)
# About one hit in PRUNE_ODDS also deletes stale rows: cheap, and no cron job needed.
PRUNE_ODDS = 200


def _since(window: float | timedelta) -> datetime:
    seconds = window.total_seconds() if isinstance(window, timedelta) else float(window)
    return utcnow() - timedelta(seconds=seconds)


def _seconds(window: float | timedelta) -> float:
    return window.total_seconds() if isinstance(window, timedelta) else float(window)


def hit(kind: str, key: str, *, at: datetime | None = None) -> None:
    """Record one attempt for (kind, key) now (or `at`); the caller commits.

    Occasionally also deletes rows older than a day (see `prune`).
    """
    db.session.add(ThrottleEvent(kind=kind, key=key[:300], created_at=at or utcnow()))
    if random.randrange(PRUNE_ODDS) == 0:
        prune()


def count(kind: str, key: str, window: float | timedelta) -> int:
    """How many attempts for (kind, key) were recorded within the last `window` seconds."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ThrottleEvent)
            .where(
                ThrottleEvent.kind == kind,
                ThrottleEvent.key == key[:300],
                ThrottleEvent.created_at > _since(window),
            )
        )
        or 0
    )


def retry_after(kind: str, key: str, window: float | timedelta, limit: int) -> int:
    """Seconds until (kind, key) may try again; 0 when it is under `limit` now.

    With `limit` attempts or more inside the window, the answer is the time until
    enough of them have aged out of the window that one more attempt is allowed
    (rounded up to whole seconds, at least 1).
    """
    if limit <= 0:
        return max(1, math.ceil(_seconds(window)))
    since = _since(window)
    # The limit-th newest attempt in the window: once it ages out, one more is allowed.
    nth = db.session.scalar(
        sa.select(ThrottleEvent.created_at)
        .where(
            ThrottleEvent.kind == kind,
            ThrottleEvent.key == key[:300],
            ThrottleEvent.created_at > since,
        )
        .order_by(ThrottleEvent.created_at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    if nth is None:
        return 0
    free_at = nth + timedelta(seconds=_seconds(window))
    return max(1, math.ceil((free_at - utcnow()).total_seconds()))


def clear(kind: str, key: str) -> None:
    """Forget every recorded attempt for (kind, key), e.g. after a successful login."""
    db.session.execute(
        sa.delete(ThrottleEvent).where(ThrottleEvent.kind == kind, ThrottleEvent.key == key[:300])
    )


def prune(older_than: timedelta = KEEP) -> int:
    """Delete attempts older than `older_than` (default a day); the caller commits."""
    result = db.session.execute(
        sa.delete(ThrottleEvent).where(ThrottleEvent.created_at < utcnow() - older_than)
    )
    return result.rowcount or 0


def describe_wait(seconds: int) -> str:
    """'about 14 minutes', '40 seconds': a human phrase for a Retry-After value."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"about {minutes} minute{'s' if minutes != 1 else ''}"
