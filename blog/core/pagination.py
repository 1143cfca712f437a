"""Pages of a list: the `?page=` argument, one page of a query, and `Pager` for lists
that are not a query."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, request
from flask_sqlalchemy.pagination import Pagination

from blog.core.cache.memo import memo
from blog.core.cache.site import get_settings
from blog.extensions import db

# Far beyond any real archive, and small enough that OFFSET never overflows SQLite's
# 64-bit integers (`?page=10**30` would otherwise be a 500).
MAX_PAGE = 100_000


def current_page(name: str = "page") -> int:
    """The page-number argument `name` (`?page=`, or `?comments=` of a thread) as a
    positive int, 1 when absent; aborts 404 if malformed or out of range. The one page
    parser of the site: public listings, threads and the admin's lists all use it."""
    raw = request.args.get(name, "1")
    if not raw.isascii() or not raw.isdigit():
        abort(404)
    page = int(raw)
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    return page


def per_page() -> int:
    try:
        return max(1, min(100, int(get_settings()["posts_per_page"])))
    except (TypeError, ValueError):
        return 10


def paginate(select: sa.Select, count_key: tuple) -> Pagination:
    """One page of `select` (a listing query) with `?page=`; 404 when out of range.

    The page is one statement plus one for the tags of its articles. The total (for
    "Page 2 of 7") is counted once and cached under `count_key` (which must identify
    the list, e.g. `("category", id)`) until the content version moves: counting
    every public article on each request would make the home page slower as the
    archive grows.
    """
    pager = db.paginate(
        select, page=current_page(), per_page=per_page(), error_out=True, count=False
    )
    pager.total = cached_count(count_key, select)
    return pager


def cached_count(key: tuple, select: sa.Select) -> int:
    """The number of rows of `select`, memoized per worker (see `paginate`)."""

    def count() -> int:
        rows = select.options(so.lazyload("*")).order_by(None).subquery()
        return db.session.scalar(sa.select(sa.func.count()).select_from(rows)) or 0

    return memo(("count", *key), count)


@dataclass
class Pager:
    """The attributes the `pagination` macro reads, for lists that are not a Select
    (search hits come with their own total)."""

    page: int
    per_page: int
    total: int
    items: list[Any] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None
