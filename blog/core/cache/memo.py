"""Per-worker memos and rendered fragments, kept until the versions they depend on move.

Two stores per worker process: `memo`/`lookup` keep plain data (list totals, related
articles, a slug's facts); `fragment` keeps rendered HTML every reader shares. Both
are emptied when the content version moves; fragments that show comments or their
counts (`shows_comments=True`) also when the comments version moves, and so does
`comments_memo`, plain data read from the comments (who has comments held). No time limit:
a scheduled publication moves the content version itself (blog/core/cache/versions.py).
With MEMO_CACHE off (the coherence test's reference app) everything is computed afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from blog.core.cache.versions import versions

MEMO_SIZE = 10_000
# Rendered HTML kept per worker: the oldest entries go first past these.
FRAGMENT_BYTES = 32 * 1024 * 1024
COMMENT_FRAGMENT_BYTES = 8 * 1024 * 1024


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str) else value.nbytes


@dataclass
class _Fragments:
    limit: int
    entries: dict[tuple, Any] = field(default_factory=dict)
    nbytes: int = 0

    def add(self, key: tuple, value: Any) -> None:
        size = _size(value)
        while self.entries and self.nbytes + size > self.limit:
            self.nbytes -= _size(self.entries.pop(next(iter(self.entries))))
        self.entries[key] = value
        self.nbytes += size


@dataclass
class _Memo:
    version: int = -1
    comments_version: int = -1
    values: dict[tuple, Any] = field(default_factory=dict)
    fragments: _Fragments = field(default_factory=lambda: _Fragments(FRAGMENT_BYTES))
    comment_fragments: _Fragments = field(
        default_factory=lambda: _Fragments(COMMENT_FRAGMENT_BYTES)
    )
    comment_values: dict[tuple, Any] = field(default_factory=dict)


def _memo() -> _Memo | None:
    """This worker's memo for the current versions; None when MEMO_CACHE is off."""
    if not current_app.config.get("MEMO_CACHE", True):
        return None
    cache = current_app.extensions.setdefault("blog_public_memo", _Memo())
    now = versions()
    if cache.version != now.content:
        cache.version = now.content
        cache.values = {}
        cache.fragments = _Fragments(FRAGMENT_BYTES)
        cache.comments_version = -1
    if cache.comments_version != now.comments:
        cache.comments_version = now.comments
        cache.comment_fragments = _Fragments(COMMENT_FRAGMENT_BYTES)
        cache.comment_values = {}
    return cache


def _keep(values: dict[tuple, Any], key: tuple, value: Any) -> None:
    if len(values) >= MEMO_SIZE:
        values.clear()
    values[key] = value


def memo(key: tuple, compute: Callable[[], Any]) -> Any:
    """`compute()`, kept per worker until the content version moves.

    For what every reader of a page would compute the same way (list totals, related
    articles, neighbours). Values must be plain data, never ORM objects: they outlive
    the session that loaded them.
    """
    cache = _memo()
    if cache is None:
        return compute()
    if key in cache.values:
        return cache.values[key]
    value = compute()
    _keep(cache.values, key, value)
    return value


def comments_memo(key: tuple, compute: Callable[[], Any]) -> Any:
    """Like `memo`, for plain data read from comments: kept until either version moves."""
    cache = _memo()
    if cache is None:
        return compute()
    if key not in cache.comment_values:
        _keep(cache.comment_values, key, compute())
    return cache.comment_values[key]


def lookup(key: tuple, compute: Callable[[], Any]) -> Any:
    """Like `memo`, but a None result (not found) is not kept: unknown slugs typed
    into URLs cost their query each time instead of filling the memo."""
    cache = _memo()
    if cache is None:
        return compute()
    if key in cache.values:
        return cache.values[key]
    value = compute()
    if value is not None:
        _keep(cache.values, key, value)
    return value


def fragment(key: tuple, render: Callable[[], Any], *, shows_comments: bool = False) -> Any:
    """Rendered HTML shared by every reader, kept per worker and content version.

    `render()` returns Markup, or an object with an `nbytes` attribute holding Markup
    parts (a page's main part and its <head> data); None (not found) is not kept.
    Only what is identical for every viewer may go in: nothing that depends on the
    user, the session, flash messages or CSRF tokens. An abort inside `render()`
    propagates and nothing is kept. With `shows_comments`, for HTML that shows comments
    or their counts, the entry also goes when the comments version moves (a comment
    leaves every other fragment in place). Entries are bounded by FRAGMENT_BYTES
    (COMMENT_FRAGMENT_BYTES) per worker, oldest first out.
    """
    cache = _memo()
    if cache is None:
        return render()
    store = cache.comment_fragments if shows_comments else cache.fragments
    if key in store.entries:
        return store.entries[key]
    value = render()
    if value is not None:
        store.add(key, value)
    return value
